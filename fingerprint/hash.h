// SPDX-License-Identifier: MIT
// Message digests through OpenSSL's EVP interface, as lowercase hex.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <llvm/Support/Error.h>

namespace abitag {

enum class DigestKind { Sha1, Sha256 };

// An incremental digest: feed bytes with update(), then take hex_digest().
class Digest {
public:
  explicit Digest(DigestKind kind);
  ~Digest();
  Digest(const Digest &) = delete;
  Digest &operator=(const Digest &) = delete;

  void update(std::string_view bytes);
  std::string hex_digest(); // finishes the digest; call once

private:
  struct Context;
  std::unique_ptr<Context> context_;
};

std::string sha1_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

// Streams a whole file through the digest, in fixed-size blocks.
llvm::Expected<std::string> file_digest_hex(const std::string &path, DigestKind kind);

} // namespace abitag

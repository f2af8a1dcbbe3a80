// SPDX-License-Identifier: MIT
#include "fingerprint/hash.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <unistd.h>
#include <vector>

#include <openssl/evp.h>

#include "fingerprint/errors.h"
#include "fingerprint/open_path.h"

namespace abitag {

struct Digest::Context {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Digest::Digest(DigestKind kind) : context_(std::make_unique<Context>()) {
  const EVP_MD *md = kind == DigestKind::Sha1 ? EVP_sha1() : EVP_sha256();
  if (!context_->ctx || EVP_DigestInit_ex(context_->ctx, md, nullptr) != 1) {
    // OpenSSL fails here only for want of memory: the program's handler for that says so.
    if (std::new_handler handler = std::get_new_handler())
      handler();
    throw std::bad_alloc();
  }
}

Digest::~Digest() = default;

void Digest::update(std::string_view bytes) {
  EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size());
}

std::string Digest::hex_digest() {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, raw, &length);
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(digits[raw[i] >> 4]);
    hex.push_back(digits[raw[i] & 15]);
  }
  return hex;
}

static std::string one_shot(DigestKind kind, std::string_view bytes) {
  Digest digest(kind);
  digest.update(bytes);
  return digest.hex_digest();
}

std::string sha1_hex(std::string_view bytes) { return one_shot(DigestKind::Sha1, bytes); }
std::string sha256_hex(std::string_view bytes) { return one_shot(DigestKind::Sha256, bytes); }

llvm::Expected<std::string> file_digest_hex(const std::string &path, DigestKind kind) {
  int fd = open_path(path, O_RDONLY);
  if (fd < 0)
    return make_error(std::strerror(errno));
  Digest digest(kind);
  std::vector<char> block(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, block.data(), block.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      return make_error(std::strerror(saved));
    }
    if (n == 0)
      break;
    digest.update(std::string_view(block.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return digest.hex_digest();
}

} // namespace abitag

// SPDX-License-Identifier: MIT
// The per-file path of `abitag qt` on arbitrary bytes: the version tables
// (.gnu.version_d and _r, walked by the analyzer's own bounded reader), the
// dynamic section and symbols, .qtversion, QtCore's build string in .rodata,
// QtPrivate_M_m_p names and private tag names; then the tag value, a
// --check of the input against a root that holds nothing (every provider
// missing), and that what --json prints of it is JSON that reads back the
// same, under a file name made of the input's bytes.
#include "analyzers/qt/qt.h"
#include "analyzers/qt/report.h"
#include "fingerprint/errors.h"
#include "fuzz/fuzz_input.h"

using namespace abitag;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  auto buffer = fuzz::buffer(data, size);
  llvm::Expected<qt::QtFile> file = qt::read_qt_buffer(buffer->getMemBufferRef(), fuzz::kInputPath);
  if (!file) {
    to_message(file.takeError()); // the line abitag would print
    return 0;
  }
  std::string value = qt::tag_value({&*file});
  if (value.empty() || value.find('\n') != std::string::npos)
    __builtin_trap(); // a tag value is one non-empty line
  static qt::ProviderLookup nothing("/nonexistent-abitag-fuzz");
  std::vector<qt::Finding> findings = qt::check_private_uses(*file, "/", nothing);
  if (findings.size() != file->private_uses.size())
    __builtin_trap(); // with no provider anywhere, every use is at risk
  file->path = fuzz::name_from(data, size);
  nlohmann::ordered_json shown = qt::file_json(*file);
  for (const qt::Finding &finding : findings)
    shown["findings"].push_back(qt::finding_json(finding));
  fuzz::check_json_round_trip(shown);
  return 0;
}

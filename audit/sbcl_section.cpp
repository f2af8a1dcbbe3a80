// SPDX-License-Identifier: MIT
// The SBCL section: every core and executable core under ROOT, found by
// content, checked as `abitag sbcl --check --root ROOT` checks it: a plain
// core against the runtime `sbcl` under ROOT, an executable against its own
// runtime part, and the foreign libraries each reopens, looked up inside ROOT.
#include <algorithm>
#include <optional>
#include <set>

#include "analyzers/sbcl/sbcl.h"
#include "audit/section.h"
#include "fingerprint/parallel.h"
#include "fingerprint/paths.h"

namespace abitag::audit {
namespace {

struct Image {
  std::string path;   // inside ROOT
  bool found = false; // an SBCL core or executable, readable or not
  bool identified = false; // its header page parsed: the build id is known
  sbcl::SbclFile file;
  sbcl::CoreFacts facts; // foreign libraries unknown when the heap is damaged
  std::string damage;    // why it cannot be read (all of it, or its heap)
};

// Reads the trailer of every candidate, and the header and heap of the
// files that turn out to be cores. A file with CORE_MAGIC at its start is a
// core even when broken; an ELF file is one only when its trailer says so.
Image examine(const InputFile &input, const std::string &path) {
  Image out;
  out.path = path;
  llvm::Expected<sbcl::FileReader> reader = sbcl::FileReader::open(input.open_path);
  if (!reader) {
    llvm::consumeError(reader.takeError()); // an unreadable ELF file is the linkage section's finding
    return out;
  }
  llvm::Expected<std::optional<sbcl::CoreLocation>> location = sbcl::locate_core(*reader);
  if (!location) {
    out.found = true;
    out.damage = to_message(location.takeError());
    return out;
  }
  if (!*location)
    return out;
  out.found = true;
  llvm::Expected<sbcl::SbclFile> file = sbcl::identify_file(*reader);
  if (!file) {
    out.damage = to_message(file.takeError());
    return out;
  }
  out.file = std::move(*file);
  out.identified = true;
  // The build id is in the header page, which the runtime checks before it
  // maps any space: a core whose heap is damaged can still be refused for
  // its build id, so that is still checked (with its libraries unknown).
  llvm::Expected<sbcl::CoreFacts> facts = sbcl::read_core_facts(input.open_path, out.file);
  if (!facts) {
    out.damage = to_message(facts.takeError());
    out.facts.libraries.unknown_reason = out.damage;
  } else {
    out.facts = std::move(*facts);
  }
  return out;
}

class SbclSection final : public AuditSection {
public:
  std::string_view name() const override { return "sbcl"; }
  std::string_view description() const override {
    return "SBCL cores and executables checked as abitag sbcl --check, against the runtime under ROOT";
  }

  SectionReport run(AuditContext &context) override {
    SectionReport out;
    std::vector<Image> images = find_images(context);

    std::size_t cores = 0, executables = 0, damaged = 0;
    for (const Image &image : images) {
      damaged += !image.damage.empty();
      if (image.identified)
        ++(image.file.kind == sbcl::FileKind::Core ? cores : executables);
    }
    sbcl::LibrarySearch search;
    search.root = context.root();
    sbcl::RuntimeLookup lookup;
    if (cores > 0)
      lookup = sbcl::find_runtime("", context.root());
    const sbcl::Runtime *runtime = lookup.runtime ? &*lookup.runtime : nullptr;

    std::size_t broken = 0;
    for (const Image &image : images) {
      if (!image.damage.empty())
        out.findings.push_back({Severity::AtRisk, "sbcl", "damaged-core", image.path, image.damage, {},
                                nlohmann::ordered_json::object()});
      if (!image.identified)
        continue;
      std::size_t before = out.findings.size();
      if (image.file.kind == sbcl::FileKind::Core && !runtime)
        report_no_runtime(context, image, lookup, out);
      report_check(context, image, runtime, search, out);
      for (std::size_t i = before; i < out.findings.size(); ++i)
        if (out.findings[i].severity == Severity::BrokenNow) {
          ++broken;
          break;
        }
    }

    std::string runtime_text = runtime ? runtime->path + " (build id " + runtime->build_id + ")"
                                       : cores ? std::string("none") : std::string("not needed");
    out.summary_lines.push_back(std::to_string(cores) + " cores, " + std::to_string(executables) +
                                " executables, " + std::to_string(damaged) + " damaged, " +
                                std::to_string(broken) + " that would not start; runtime: " + runtime_text);
    out.summary = {{"cores", cores},
                   {"executables", executables},
                   {"damaged", damaged},
                   {"broken", broken},
                   {"runtime", runtime ? nlohmann::ordered_json{{"path", runtime->path},
                                                                {"build_id", runtime->build_id}}
                                       : nlohmann::ordered_json()}};
    return out;
  }

private:
  // The candidates come from the audit's one walk: files that start as a
  // plain core does, and ELF programs, which are executable cores when
  // their trailer leads to a core. Only heads and trailers decide.
  std::vector<Image> find_images(AuditContext &context) {
    const std::string &root = context.root();
    const RootFiles &files = context.files();
    std::vector<const InputFile *> candidates;
    for (const InputFile &file : files.sbcl_cores)
      candidates.push_back(&file);
    // The ELF scan, when another section made it, has read every ELF file's
    // last bytes: those not ending as an executable core does need not be
    // opened again here.
    std::set<FileId> without_trailer;
    if (context.elf_scan_done())
      for (const ElfEntry &entry : context.elf_scan().entries())
        if (!sbcl::ends_like_core_trailer(entry.facts.tail))
          without_trailer.insert(entry.id);
    for (const InputFile &file : files.elf)
      if (!without_trailer.count({file.device, file.inode}))
        candidates.push_back(&file);
    // Unreadable files and skipped links are the linkage section's to report.
    auto inside = [&](const std::string &path) { return path_inside_root(root, path); };
    std::vector<std::uint64_t> sizes;
    for (const InputFile *file : candidates)
      sizes.push_back(file->size);
    std::vector<std::size_t> order = largest_first(sizes);
    std::vector<Image> examined(candidates.size());
    context.progress().begin("sbcl", candidates.size());
    parallel_for(order.size(), [&](std::size_t n) {
      const InputFile &file = *candidates[order[n]];
      examined[order[n]] = examine(file, inside(file.path));
      context.progress().advance();
    });
    context.progress().end();
    std::vector<Image> images;
    for (Image &image : examined)
      if (image.found)
        images.push_back(std::move(image));
    return images;
  }

  // A plain core runs only as `sbcl --core CORE`, so without an `sbcl` under
  // ROOT it cannot be started at all: broken now, like a program whose
  // interpreter is missing. What to do is install SBCL (the one whose build
  // id the core records), or rebuild the core's package against the SBCL
  // that will be installed.
  void report_no_runtime(AuditContext &context, const Image &image, const sbcl::RuntimeLookup &lookup,
                         SectionReport &out) {
    out.findings.push_back({Severity::BrokenNow, "sbcl", "no-runtime", image.path,
                            std::string("no SBCL runtime under ROOT to start it (") + sbcl::runtime_places() +
                                "); it needs one with build id \"" + image.file.build_id + "\"",
                            {context.owners().describe(image.path)},
                            {{"build_id", image.file.build_id}, {"lookup", lookup.failure}}});
  }

  void report_check(AuditContext &context, const Image &image, const sbcl::Runtime *runtime,
                    const sbcl::LibrarySearch &search, SectionReport &out) {
    sbcl::CoreCheck result =
        sbcl::check_core(image.file, image.facts.embedded_runtime_id, image.facts.libraries, runtime, search);
    for (const sbcl::Problem &problem : result.problems) {
      nlohmann::ordered_json details = {{"build_id", image.file.build_id},
                                        {"kind", sbcl::kind_name(image.file.kind)}};
      if (problem.kind == sbcl::ProblemKind::BuildIdMismatch)
        details["runtime_build_id"] = image.file.kind == sbcl::FileKind::Core ? runtime->build_id
                                                                               : *image.facts.embedded_runtime_id;
      else
        details["library"] = problem.library;
      // Either way the image is re-saved: with the installed SBCL, or after
      // its library is back (reinstalling that library is the other way out).
      out.findings.push_back({Severity::BrokenNow, "sbcl",
                              problem.kind == sbcl::ProblemKind::BuildIdMismatch ? "build-id-mismatch"
                                                                                 : "missing-foreign-library",
                              image.path, problem.detail, {context.owners().describe(image.path)},
                              std::move(details)});
    }
    if (!image.damage.empty())
      return; // the unknown libraries are the damage already reported
    for (const std::string &note : result.notes)
      out.findings.push_back({Severity::Informational, "sbcl", "note", image.path, note, {},
                              nlohmann::ordered_json::object()});
  }
};

} // namespace

std::unique_ptr<AuditSection> make_sbcl_section() { return std::make_unique<SbclSection>(); }

} // namespace abitag::audit

// SPDX-License-Identifier: MIT
#include "audit/progress.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <unistd.h>

namespace abitag::audit {

namespace {
constexpr auto kRedraw = std::chrono::milliseconds(200);
constexpr int kBarWidth = 30;
} // namespace

Progress::Progress(bool enabled) : enabled_(enabled) {}

Progress::~Progress() { end(); }

bool Progress::stderr_is_terminal() {
  const char *term = std::getenv("TERM");
  return ::isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

void Progress::begin(const std::string &stage, std::size_t total) {
  end();
  if (!enabled_)
    return;
  stage_ = stage;
  total_ = total;
  done_ = 0;
  start_ = std::chrono::steady_clock::now();
  active_ = true;
  draw(); // here, so a stage shorter than the thread's start is still shown
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error &) {
    active_ = false; // no thread to draw with: the audit goes on without a bar
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

void Progress::end() {
  if (!thread_.joinable())
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    active_ = false;
  }
  wake_.notify_all();
  thread_.join();
  std::fputs("\r\033[K", stderr); // clear the line for what follows
  std::fflush(stderr);
}

void Progress::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, kRedraw, [this] { return !active_; }))
    draw();
}

void Progress::draw() {
  std::size_t done = done_.load(std::memory_order_relaxed);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = seconds > 0 ? done / seconds : 0;
  if (total_ == 0) { // a walk: how many files there are is known only at its end
    std::fprintf(stderr, "\r\033[K%s %zu files, %.0f files/s", stage_.c_str(), done, rate);
    std::fflush(stderr);
    return;
  }
  done = std::min(done, total_);
  int filled = static_cast<int>(kBarWidth * done / total_);
  char bar[kBarWidth + 1];
  for (int i = 0; i < kBarWidth; ++i)
    bar[i] = i < filled ? '#' : '.';
  bar[kBarWidth] = '\0';
  std::fprintf(stderr, "\r\033[K%s [%s] %zu/%zu files, %.0f files/s", stage_.c_str(), bar, done, total_,
               rate);
  std::fflush(stderr);
}

} // namespace abitag::audit

// SPDX-License-Identifier: MIT
// A one-line progress bar on stderr (files done, total, rate), redrawn a few
// times a second by its own thread, so workers only bump a counter. Silent
// when stderr is not a terminal: logs and pipes get nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace abitag::audit {

class Progress {
public:
  explicit Progress(bool enabled);
  ~Progress();
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  // Starts a stage of TOTAL items ("reading", 5000); 0: not known ("scanning").
  void begin(const std::string &stage, std::size_t total);
  void advance() { done_.fetch_add(1, std::memory_order_relaxed); }
  // Ends the stage and clears the line.
  void end();

  // True when stderr is a terminal (and TERM is not "dumb").
  static bool stderr_is_terminal();

private:
  void draw();
  void run();

  bool enabled_;
  std::atomic<std::size_t> done_{0};
  std::size_t total_ = 0;
  std::string stage_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool active_ = false;
  std::thread thread_;
};

} // namespace abitag::audit

// SPDX-License-Identifier: MIT
#include "fingerprint/parallel.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace abitag {

std::vector<std::thread> start_helpers(std::size_t count, const std::function<void()> &work) {
  std::vector<std::thread> started;
  started.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    try {
      started.emplace_back(work);
    } catch (const std::system_error &) {
      break; // no more threads to be had: the ones started, and the caller, do it all
    }
  }
  return started;
}

std::size_t core_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

std::size_t io_threads() { return std::min<std::size_t>(4 * core_threads(), 64); }

void parallel_for(std::size_t count, const std::function<void(std::size_t)> &body, std::size_t threads) {
  threads = std::min(std::max<std::size_t>(threads, 1), count);
  if (threads <= 1) {
    for (std::size_t i = 0; i < count; ++i)
      body(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++)
      body(i);
  };
  std::vector<std::thread> pool = start_helpers(threads - 1, worker);
  worker();
  for (std::thread &thread : pool)
    thread.join();
}

std::vector<std::size_t> largest_first(const std::vector<std::uint64_t> &sizes) {
  std::vector<std::size_t> order(sizes.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
  return order;
}

} // namespace abitag

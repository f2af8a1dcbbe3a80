// SPDX-License-Identifier: MIT
// Spreading independent work items over the machine's cores.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace abitag {

// Starts up to COUNT threads running WORK and returns those that started.
// Starting one can fail (no memory left for its stack, a limit on
// processes); the caller's own thread then does the work the missing ones
// would have done, since WORK takes what is left from a shared queue.
std::vector<std::thread> start_helpers(std::size_t count, const std::function<void()> &work);

// One thread per core: for work that only computes.
std::size_t core_threads();

// For work that waits on the disk as much as it computes: opening files
// and reading their first bytes, faulting in the pages of mapped files.
// With a cold page cache a thread per core leaves the cores idle while
// each waits for its read; four per core keep the disk's queue filled
// (the audit's walk of /usr is faster with them when the cache is cold,
// and no slower when it is warm). At most 64.
std::size_t io_threads();

// Calls body(i) for every i in [0, count), on up to THREADS threads.
// Items are taken in order from a shared counter, so a slow item does not
// hold back a whole share of the work.
void parallel_for(std::size_t count, const std::function<void(std::size_t)> &body,
                  std::size_t threads = core_threads());

// The indices of SIZES, largest first: handing out the big items first keeps
// one huge item from running alone at the end while the other cores idle.
std::vector<std::size_t> largest_first(const std::vector<std::uint64_t> &sizes);

} // namespace abitag

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

// Calls body(i) for every i in [0, count), on up to one thread per core.
// Items are taken in order from a shared counter, so a slow item does not
// hold back a whole share of the work.
void parallel_for(std::size_t count, const std::function<void(std::size_t)> &body);

// The indices of SIZES, largest first: handing out the big items first keeps
// one huge item from running alone at the end while the other cores idle.
std::vector<std::size_t> largest_first(const std::vector<std::uint64_t> &sizes);

} // namespace abitag

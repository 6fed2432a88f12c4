// Several copies of an implementation working side by side (suite --jobs, hunt --jobs): one process and one thread
// each, fed from a queue the caller keeps. Results must not depend on how many there are: the callers hand cases out
// in order and put the answers back in order.
#pragma once

#include "implementation.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace cnnbp::cli {

/// `jobs` copies of the implementation `command` (each its own process group). Throws cnnbp::Error when `jobs` is
/// not between 1 and 64.
std::vector<std::unique_ptr<Implementation>> start_implementations(const std::string& command, int jobs,
                                                                   double timeout, double startup);

/// The case numbers 0, 1, ..., count - 1, handed out in order. Once stop() is called no more are handed out, so the
/// numbers taken are always a prefix 0..k; with the callers' results kept per number, the outcome is the same for any
/// number of workers.
class CaseQueue {
public:
    explicit CaseQueue(std::size_t count) : count_(count) {}
    std::optional<std::size_t> take();
    void stop();

private:
    std::mutex m_;
    std::size_t next_ = 0, count_;
    bool stopped_ = false;
};

/// Runs body(impl) for every implementation, each on a thread of its own (on this thread when there is only one),
/// and returns when all have returned. The first exception thrown in any of them is rethrown here, after the others
/// have finished: `stop` is called at once, and they should then take no more work.
void on_each(std::vector<std::unique_ptr<Implementation>>& impls, const std::function<void(Implementation&)>& body,
             const std::function<void()>& stop);

}  // namespace cnnbp::cli

#include "workers.hpp"

#include "cnnbp/core/error.hpp"

#include <exception>
#include <thread>

namespace cnnbp::cli {

std::vector<std::unique_ptr<Implementation>> start_implementations(const std::string& command, int jobs,
                                                                   double timeout, double startup) {
    if (jobs < 1 || jobs > 64) fail("--jobs must be between 1 and 64, got ", jobs);
    std::vector<std::unique_ptr<Implementation>> impls;
    for (int j = 0; j < jobs; ++j) impls.push_back(std::make_unique<Implementation>(command, timeout, startup));
    return impls;
}

std::optional<std::size_t> CaseQueue::take() {
    std::lock_guard<std::mutex> hold(m_);
    if (stopped_ || next_ >= count_) return std::nullopt;
    return next_++;
}

void CaseQueue::stop() {
    std::lock_guard<std::mutex> hold(m_);
    stopped_ = true;
}

void on_each(std::vector<std::unique_ptr<Implementation>>& impls, const std::function<void(Implementation&)>& body,
             const std::function<void()>& stop) {
    if (impls.size() == 1) return body(*impls[0]);
    std::exception_ptr first;
    std::mutex first_m;
    std::vector<std::thread> threads;
    for (auto& impl : impls)
        threads.emplace_back([&, which = impl.get()] {
            try {
                body(*which);
            } catch (...) {
                std::lock_guard<std::mutex> hold(first_m);
                if (!first) first = std::current_exception();
                stop();
            }
        });
    for (std::thread& t : threads) t.join();
    if (first) std::rethrow_exception(first);
}

}  // namespace cnnbp::cli

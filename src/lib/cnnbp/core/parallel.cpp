#include "cnnbp/core/parallel.hpp"

#include <dlfcn.h>

#include <mutex>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace cnnbp {

int max_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

namespace {

// OpenBLAS's own controls, looked up in the running process: present when OpenBLAS is the BLAS Armadillo was linked
// with, absent (null) for the reference BLAS or another one, which cnnbp then leaves as it is.
using SetThreads = void (*)(int);
using GetThreads = int (*)();

SetThreads set_threads() {
    static const auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    return f;
}

GetThreads get_threads() {
    static const auto f = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    return f;
}

// OpenBLAS's count is one global: callers on several threads at once (hunt --jobs, suite --jobs) share one hold. The
// first to arrive saves the count and sets it to 1; the last to leave restores it.
std::mutex hold_mutex;
int holders = 0;
int saved = 0;

}  // namespace

SerialBlas::SerialBlas() {
    if (!set_threads() || !get_threads()) return;
    const std::lock_guard<std::mutex> lock(hold_mutex);
    if (holders++ == 0) {
        saved = get_threads()();
        if (saved != 1) set_threads()(1);
    }
}

SerialBlas::~SerialBlas() {
    if (!set_threads() || !get_threads()) return;
    const std::lock_guard<std::mutex> lock(hold_mutex);
    if (--holders == 0 && saved > 1) set_threads()(saved);
}

}  // namespace cnnbp

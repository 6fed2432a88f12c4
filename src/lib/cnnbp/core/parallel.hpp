/// \file
/// Threads on the oracle's fast paths. Work is split only into pieces whose results do not depend on one another
/// (samples, planes, filters), and every sum that runs across pieces is taken in one fixed order, so a result is
/// bit-identical whatever the number of threads. Inside a threaded region the BLAS is held to one thread, so that a
/// matrix product is computed the same way on one thread and on several.
#pragma once

#include <cstdint>

namespace cnnbp {

/// The number of threads the fast paths may use: OpenMP's (OMP_NUM_THREADS, or every core), 1 when cnnbp was built
/// without OpenMP.
int max_threads();

/// Whether a loop of `work` multiply-adds is worth threads at all: below about a million, starting them costs more
/// than they save (the RapidCheck properties run thousands of tiny cases).
inline bool worth_threads(std::uint64_t work) { return work >= (std::uint64_t(1) << 20); }

/// While it lives, OpenBLAS (when it is the BLAS in the process) runs each product on the calling thread, so that
/// the product does not depend on how many threads OpenBLAS would otherwise use; the previous count is restored when
/// the last SerialBlas alive in the process ends (OpenBLAS's count is global, so holders on several threads share
/// one hold). Any other BLAS is left alone.
class SerialBlas {
public:
    SerialBlas();
    ~SerialBlas();
    SerialBlas(const SerialBlas&) = delete;
    SerialBlas& operator=(const SerialBlas&) = delete;
};

}  // namespace cnnbp

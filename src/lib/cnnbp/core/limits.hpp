/// \file
/// What one case may ask of cnnbp, checked before anything is allocated or looped over, so that a small hostile or
/// mistaken file is refused in an instant with a message (cnnbp::Error, exit 2) instead of exhausting the machine.
/// The defaults fit the realistic layers users check (a ResNet stage in float64 needs a few hundred MiB) and keep
/// one evaluation within a few seconds and about 4 GiB; the command line can raise them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace cnnbp {

/// The limits in force.
struct Limits {
    std::uint64_t elements = std::uint64_t(1) << 24;  ///< elements of any one tensor (2^24: 128 MiB of doubles)
    std::uint64_t work = std::uint64_t(1) << 32;      ///< multiply-adds or window taps of one evaluation of one layer
    std::size_t file_bytes = std::size_t(1) << 28;    ///< bytes of a case or result file (256 MiB)
    std::size_t nesting = 64;                         ///< nesting depth of a JSON document
    std::size_t layers = 1000;                        ///< layers of a network
};

/// The limits in force, which the command line may change before reading anything.
Limits& limits();

/// The product of `factors`, or cnnbp::Error naming `what` when it exceeds `limit` (or overflows 64 bits).
std::uint64_t checked_product(const char* what, std::initializer_list<std::uint64_t> factors, std::uint64_t limit,
                              const char* flag);

}  // namespace cnnbp

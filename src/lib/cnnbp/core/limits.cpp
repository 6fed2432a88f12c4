#include "cnnbp/core/limits.hpp"

#include "cnnbp/core/error.hpp"

#include <sstream>
#include <string>

namespace cnnbp {

Limits& limits() {
    static Limits in_force;
    return in_force;
}

std::uint64_t checked_product(const char* what, std::initializer_list<std::uint64_t> factors, std::uint64_t limit,
                              const char* flag) {
    std::uint64_t product = 1;
    bool overflow = false;
    for (std::uint64_t f : factors) overflow = overflow || __builtin_mul_overflow(product, f, &product);
    if (overflow || product > limit) {
        std::ostringstream os;
        const char* sep = "";
        for (std::uint64_t f : factors) os << sep << f, sep = " x ";
        fail(what, " would be ", os.str(), overflow ? " (more than 2^64)" : " = " + std::to_string(product),
             ", more than the limit of ", limit, " (", flag, ")");
    }
    return product;
}

}  // namespace cnnbp

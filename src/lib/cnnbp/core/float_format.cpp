#include "cnnbp/core/float_format.hpp"

#include "cnnbp/core/error.hpp"

#include <algorithm>
#include <cmath>

namespace cnnbp {

double FloatFormat::unit_roundoff() const { return std::ldexp(1.0, -p); }
double FloatFormat::smallest_normal() const { return std::ldexp(1.0, emin); }
double FloatFormat::largest() const { return std::ldexp(2.0 - std::ldexp(1.0, 1 - p), emax); }

const FloatFormat& float_format(const std::string& name, const char* flag) {
    static const FloatFormat formats[] = {
        {"float64", 53, -1022, 1023}, {"float32", 24, -126, 127}, {"float16", 11, -14, 15}, {"bfloat16", 8, -126, 127}};
    for (const FloatFormat& f : formats)
        if (name == f.name) return f;
    fail(flag, " must be float64, float32, float16 or bfloat16, got ", name);
}

double round_to(double x, const FloatFormat& f) {
    const double a = std::abs(x);
    if (!std::isfinite(x)) return x;
    // from halfway between the largest finite value and 2^(emax+1) on, the nearest is infinity
    if (a >= std::ldexp(2.0 - std::ldexp(1.0, -f.p), f.emax)) return std::copysign(HUGE_VAL, x);
    if (a == 0) return x;
    const int e = std::max(std::ilogb(a), f.emin);  // subnormals share the smallest exponent
    // the significand in units of the last place (scaling by 2^k is exact), rounded by the default mode: ties to even
    const double m = std::nearbyint(std::ldexp(a, f.p - 1 - e));
    return std::copysign(std::ldexp(m, e - (f.p - 1)), x);
}

}  // namespace cnnbp

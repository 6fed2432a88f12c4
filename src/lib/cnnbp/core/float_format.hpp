/// \file
/// The binary floating-point formats an implementation may compute in, as the tolerance model sees them
/// (\ref tol_half "Half precision: storage and accumulation"): how many significand bits, how small a normal number,
/// how large a finite one, and rounding to the nearest value of a format, ties to even.
#pragma once

#include <string>

namespace cnnbp {

/// A binary floating-point format: p significand bits (the leading one counted), normal exponents emin..emax.
struct FloatFormat {
    const char* name;  ///< "float64", "float32", "float16" or "bfloat16"
    int p;             ///< significand bits: 53, 24, 11, 8
    int emin;          ///< the exponent of the smallest normal number: -1022, -126, -14, -126
    int emax;          ///< the exponent of the largest finite number: 1023, 127, 15, 127
    double unit_roundoff() const;    ///< u = 2^-p, \ref eq_E1 "(E1)"
    double smallest_normal() const;  ///< 2^emin
    double largest() const;          ///< (2 - 2^(1-p)) 2^emax
};

/// The format named `name`; throws cnnbp::Error naming `flag` for any other name.
const FloatFormat& float_format(const std::string& name, const char* flag = "--dtype");

/// `x` rounded to the nearest value of format `f` (ties to even, subnormals kept, infinity beyond the largest finite
/// value and the half ulp above it), computed from the double directly: one rounding.
double round_to(double x, const FloatFormat& f);

}  // namespace cnnbp

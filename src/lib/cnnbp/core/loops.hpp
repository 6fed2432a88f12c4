/// \file
/// The two inner loops of the sliding-window layers, written once: the sum of products along a run of elements,
/// and the scaled add of one run onto another. Both walk a plane's columns, where elements are contiguous.
#pragma once

#include <armadillo>

namespace cnnbp {

/// sum_{i < n} a[i] b[i stride]: a dot product along a run, with four partial sums added in a fixed order at the
/// end, so that the loop runs at the speed of the loads rather than of one chain of additions, and gives the same
/// bits on every run.
inline double strided_dot(const double* a, const double* b, arma::uword n, long long stride) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    arma::uword i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[(long long)i * stride];
        s1 += a[i + 1] * b[(long long)(i + 1) * stride];
        s2 += a[i + 2] * b[(long long)(i + 2) * stride];
        s3 += a[i + 3] * b[(long long)(i + 3) * stride];
    }
    for (; i < n; ++i) s0 += a[i] * b[(long long)i * stride];
    return (s0 + s1) + (s2 + s3);
}

}  // namespace cnnbp

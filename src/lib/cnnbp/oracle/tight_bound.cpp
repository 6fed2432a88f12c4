// The tight bound (E8)-(E10) of derivations/15-tolerances.md: the rounding model (R), the data model (D), and the
// checks that refuse (D) for data that would break it.
#include "cnnbp/oracle/tight_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

namespace cnnbp {

namespace {

double lambda() { return std::sqrt(2 * tail_exponent); }  // Azuma's tail 2 e^{-lambda^2 / 2} = 2 e^{-L}

// lambda (sqrt(u^2 (Q + S) + (2 u_in)^2 S) + u sqrt(n - 1) gamma_n M): the first-order term (each node's rounding, each
// product's, and each of its two factors' when the inputs had to be rounded to the stored type, u_in), and the
// second-order one that comes from rounding computed (not exact) partial sums, each within gamma_n M of its exact
// value (E3)
double rounding_term(double q, const SumTerms& t, double u, double u_in) {
    const double gamma = t.n * u / (1 - t.n * u);
    const double first = std::sqrt(u * u * (q + t.squares) + 4 * u_in * u_in * t.squares);
    return lambda() * (first + u * std::sqrt(std::max(t.n - 1, 0.0)) * gamma * t.magnitude);
}

// (E10), a tensor's drift (its mean and standard deviation given): the mean of each slice along each axis against the
// mean of the whole, and the walk of its centred partial sums in storage order. For values drawn without regard to
// their position, a slice of c elements has a mean within 6 s / sqrt(c) of the whole's (a Gaussian tail of 2e-9 per
// slice), and the walk stays within 4.5 s sqrt(size) (a bridge passes x s sqrt(size) with probability 2 e^{-2 x^2},
// 4e-18 here).
std::string drift(const char* name, const Array& a, double mean, double s) {
    const std::size_t size = a.data.size();
    if (size < 64) return "";  // too few to tell; their short sums are bounded by (E3) anyway
    if (s == 0) return "";
    std::ostringstream why;
    why.precision(3);
    double walk = 0, peak = 0;
    for (double v : a.data) walk += v - mean, peak = std::max(peak, std::abs(walk));
    if (peak > 4.5 * s * std::sqrt(double(size))) {
        why << name << " drifts along its storage order: its centred partial sums reach " << peak << ", "
            << peak / (s * std::sqrt(double(size))) << " s sqrt(size) (at most 4.5 for values placed at random)";
        return why.str();
    }
    std::size_t inner = size;
    for (std::size_t d = 0; d < a.shape.size(); ++d) {
        const std::size_t extent = a.shape[d], outer = size / inner;
        inner /= extent;
        const std::size_t c = size / extent;  // elements per slice
        if (extent < 2 || c < 16) continue;
        std::vector<double> slice(extent, 0.0);
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < extent; ++i)
                for (std::size_t j = 0; j < inner; ++j) slice[i] += a.data[(o * extent + i) * inner + j];
        for (std::size_t i = 0; i < extent; ++i) {
            const double off = std::abs(slice[i] / double(c) - mean) / (s / std::sqrt(double(c)));
            if (off > 6) {
                why << name << " drifts along axis " << d << ": slice " << i << " has mean " << slice[i] / double(c)
                    << ", " << off << " standard errors from the whole's " << mean << " (at most 6 for values placed at random)";
                return why.str();
            }
        }
    }
    return "";
}

// A tensor whose values repeat: at most 16 distinct values, or a spread below 1e-3 of the mean. Sums of such terms
// add the same increments again and again, and their rounding errors repeat with them: measured in float32, 0.1
// (or 0.1 and 0.3, or 0.1 plus noise of 1e-6) summed 4,608 times one after another errs 2 to 2.5 times beyond (E9).
bool repeats(const Array& a, double mean, double s) {
    std::vector<double> seen;
    for (double v : a.data)
        if (std::find(seen.begin(), seen.end(), v) == seen.end()) {
            seen.push_back(v);
            if (seen.size() > 16) break;
        }
    return seen.size() <= 16 || s < 1e-3 * std::abs(mean);
}

}  // namespace

double tight_bound(const SumTerms& t, bool data_model, double u, double u_store, double u_oracle, bool rounded_inputs,
                   double stored) {
    const double n = t.n, y = std::abs(t.value), m = t.magnitude;
    if (!(n * u < 0.5) || !std::isfinite(m) || !std::isfinite(t.squares)) return std::numeric_limits<double>::infinity();
    // (E8a), every tree and every order: a partial sum is at most max(P, N) = (M + |y|) / 2
    const double cap = (m + y) / 2;
    double q = std::max(n - 1, 0.0) * cap * cap;
    if (data_model) {  // (E8b): a node of k terms is within 2D of k mu
        const double mu = y / n;
        const double var = std::max(0.0, t.squares / n - mu * mu);
        const double d = std::sqrt(n * var * tail_exponent / 2) + (t.largest + mu) * tail_exponent / 3;
        const double a1 = n * (n + 1) / 2 - 1, a2 = n * (n + 1) * (2 * n + 1) / 6 - 1;  // sum k, sum k^2, k = 2..n
        q = std::min(q, mu * mu * a2 + 4 * mu * d * a1 + 4 * std::max(n - 1, 0.0) * d * d);
    }
    // (E9): the implementation's rounding and the oracle's own (in float64), then the rounding of the stored result
    // (`stored` roundings of u_store |y|; the computed value it rounds is off by the rest)
    const double computed = rounding_term(q, t, u, rounded_inputs ? u_store : 0.0) + rounding_term(q, t, u_oracle, 0.0);
    return computed * (1 + stored * u_store) + stored * u_store * y;
}

FactorCheck check_factor(const char* name, const Array& a) {
    const std::size_t size = a.data.size();
    double mean = 0, var = 0;
    for (double v : a.data) mean += v;
    mean /= double(size);
    for (double v : a.data) var += (v - mean) * (v - mean);
    const double s = std::sqrt(var / double(size));
    return {drift(name, a, mean, s), repeats(a, mean, s)};
}

}  // namespace cnnbp

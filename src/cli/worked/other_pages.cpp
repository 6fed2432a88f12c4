#include "other_pages.hpp"
#include "worked.hpp"

#include "cnnbp/core/gradcheck.hpp"

#include <cstdio>

namespace cnnbp::cli {

// The fragments of the pages other than the convolution's, in page order; each page's name prefixes its fragments'.
std::vector<Artifact> other_pages_worked() {
    using namespace other;
    return {
        {"notation-results", "Notation: (N1) and (N2) measured on a linear layer", notation_results},
        {"gradcheck-results", "Finite differences: the step (F3) and the error (F2) against the step", gradcheck_results},
        {"pooling-example", "Pooling: the worked 3 x 4 plane, max and average, with the winners", pooling_example},
        {"pooling-results", "Pooling: shapes, scatter = gather, a finite difference", pooling_results},
        {"linear-example", "Linear: (L1)-(L4) on the worked 2 x 3 example", linear_example},
        {"linear-results", "Linear: shapes, matrix form = index sums, a finite difference, flatten", linear_results},
        {"activation-results", "Activations: values and derivatives at a few points, the kink at 0", activation_results},
        {"loss-results", "Losses: mse and softmax cross-entropy, (Q5) both ways, a finite difference", loss_results},
        {"backprop-mlp", "Backpropagation: backprop_mlp's trace, every z, a, delta, dW, db", backprop_mlp_trace},
        {"backprop-sequential", "Backpropagation: sequential_backprop's trace, every a and da", backprop_sequential_trace},
        {"tiny_cnn-numbers", "Tiny CNN: the equations (T1)-(T5) with the example's numbers", tiny_cnn_numbers},
        {"tolerances-results", "Tolerances: check in float32 and one element's bound (E3) step by step", tolerances_results},
        {"case_format-example", "Case format: a case, what eval writes, a wrong result and check's report", case_format_example},
        {"case_format-network", "Case format: the tiny CNN with its ReLU as a sequential case", case_format_network},
    };
}

namespace other {

std::string sig(double v, int digits) {
    if (v == 0) return "0";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    std::string s = buf;
    const auto e = s.find('e');  // 1.5e-07 as 1.5 \cdot 10^{-7}, for TeX
    if (e == std::string::npos) return s;
    const int exponent = std::stoi(s.substr(e + 1));
    const std::string mantissa = s.substr(0, e);
    return (mantissa == "1" ? "" : mantissa + " \\cdot ") + "10^{" + std::to_string(exponent) + "}";
}

std::string sig_math(double v, int digits) { return fmt::math(sig(v, digits)); }

std::string term(double v) { return v < 0 ? "(" + fmt::num(v) + ")" : fmt::num(v); }

std::string pmatrix_sig(const arma::mat& m, int digits) {
    return fmt::pmatrix(m, [&](arma::uword i, arma::uword j, const std::string&) { return sig(m(i, j), digits); });
}

CentralDifference central_difference(const std::function<double(const arma::mat&)>& loss, arma::mat theta, arma::uword k) {
    return cnnbp::central_difference(theta.memptr()[k], [&] { return loss(theta); });
}

CentralDifference central_difference(const std::function<double(const Tensor4&)>& loss, Tensor4 theta, arma::uword k) {
    return cnnbp::central_difference(theta.memptr()[k], [&] { return loss(theta); });
}

}  // namespace other

}  // namespace cnnbp::cli

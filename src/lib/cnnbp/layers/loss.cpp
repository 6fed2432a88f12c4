#include "cnnbp/layers/loss.hpp"

#include "cnnbp/core/error.hpp"

#include <cmath>

namespace cnnbp {

namespace {
void check_same(const char* fn, const arma::mat& a, const arma::mat& y) {
    if (a.n_rows == 0 || a.n_cols == 0) fail(fn, ": a is ", a.n_rows, " x ", a.n_cols, "; N and M must be >= 1");
    if (a.n_rows != y.n_rows || a.n_cols != y.n_cols)
        fail(fn, ": a is ", a.n_rows, " x ", a.n_cols, " but y is ", y.n_rows, " x ", y.n_cols);
}
void check_labels(const char* fn, const arma::mat& z, const arma::uvec& labels) {
    if (z.n_rows == 0 || z.n_cols == 0) fail(fn, ": z is ", z.n_rows, " x ", z.n_cols, "; N and M must be >= 1");
    if (labels.n_elem != z.n_rows) fail(fn, ": ", labels.n_elem, " labels for N = ", z.n_rows, " samples");
    for (arma::uword n = 0; n < labels.n_elem; ++n)
        if (labels(n) >= z.n_cols)
            fail(fn, ": label ", labels(n), " of sample ", n, " is out of range; there are M = ", z.n_cols,
                 " classes (0 to ", z.n_cols - 1, ")");
}
}  // namespace

// [mse]
double mse_forward(const arma::mat& a, const arma::mat& y) {
    check_same("mse_forward", a, y);
    return arma::accu(arma::square(a - y)) / (2.0 * a.n_rows);  // (Q1)
}

MseGrads mse_backward(double dloss, const arma::mat& a, const arma::mat& y) {
    check_same("mse_backward", a, y);
    return {dloss * (a - y) / double(a.n_rows)};  // (Q2): the 1/2 cancels the 2 of the square
}
// [mse]

// [softmax_cross_entropy]
arma::mat softmax(const arma::mat& z) {
    arma::mat e = z;
    e.each_col() -= arma::max(z, 1);  // shift each row by its maximum: e^0 = 1 is the largest term, no overflow
    e = arma::exp(e);
    e.each_col() /= arma::sum(e, 1);
    return e;
}

double softmax_cross_entropy_forward(const arma::mat& z, const arma::uvec& labels) {
    check_labels("softmax_cross_entropy_forward", z, labels);
    double total = 0.0;
    for (arma::uword n = 0; n < z.n_rows; ++n) {
        const double m = z.row(n).max();
        const double logsumexp = m + std::log(arma::accu(arma::exp(z.row(n) - m)));  // (Q4), stable
        total += logsumexp - z(n, labels(n));
    }
    return total / double(z.n_rows);
}

SoftmaxCrossEntropyGrads softmax_cross_entropy_backward(double dloss, const arma::mat& z, const arma::uvec& labels) {
    check_labels("softmax_cross_entropy_backward", z, labels);
    arma::mat dz = softmax(z);  // (Q5): d/dz of logsumexp is the softmax ...
    for (arma::uword n = 0; n < z.n_rows; ++n) dz(n, labels(n)) -= 1.0;  // ... and of -z[y] is -onehot(y)
    return {dloss * dz / double(z.n_rows)};  // the batch mean's 1/N
}
// [softmax_cross_entropy]

}  // namespace cnnbp

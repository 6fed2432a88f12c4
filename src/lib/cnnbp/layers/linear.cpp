#include "cnnbp/layers/linear.hpp"

#include "cnnbp/core/error.hpp"

namespace cnnbp {

namespace {
void check_shapes(const char* fn, const arma::mat& x, const arma::mat& w) {
    if (x.n_rows == 0 || x.n_cols == 0) fail(fn, ": x is ", x.n_rows, " x ", x.n_cols, "; N and D must be >= 1");
    if (w.n_rows == 0) fail(fn, ": w has no rows; M must be >= 1");
    if (w.n_cols != x.n_cols)
        fail(fn, ": w is ", w.n_rows, " x ", w.n_cols, " but x is ", x.n_rows, " x ", x.n_cols, "; w needs D = ",
             x.n_cols, " columns");
}
}  // namespace

// [linear_forward]
arma::mat linear_forward(const arma::mat& x, const arma::mat& w, const std::optional<arma::vec>& b) {
    check_shapes("linear_forward", x, w);
    if (b && b->n_elem != w.n_rows) fail("linear_forward: b has ", b->n_elem, " elements but w has M = ", w.n_rows, " rows");
    arma::mat out = x * w.t();            // (N, D) (D, M) = (N, M)
    if (b) out.each_row() += b->t();      // the same bias for every sample
    return out;
}
// [linear_forward]

// [linear_backward]
LinearGrads linear_backward(const arma::mat& dout, const arma::mat& x, const arma::mat& w) {
    check_shapes("linear_backward", x, w);
    if (dout.n_rows != x.n_rows || dout.n_cols != w.n_rows)
        fail("linear_backward: dout is ", dout.n_rows, " x ", dout.n_cols, " but the output is ", x.n_rows, " x ",
             w.n_rows);
    // forward: out = x W^T + 1 b^T
    return {dout * w,                       // (L2) term 1: d<x W^T, D>/dx = D W
            dout.t() * x,                   // (L3) term 2: d<x W^T, D>/dW = D^T x
            arma::sum(dout, 0).t()};        // (L4) term 3: d<1 b^T, D>/db = D^T 1, the batch sum
}
// [linear_backward]

}  // namespace cnnbp

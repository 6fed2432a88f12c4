#include "closed_form.hpp"

namespace cnnbp::cli {

arma::mat spread(const arma::mat& m, int s_h, int s_w) {
    arma::mat out((m.n_rows - 1) * s_h + 1, (m.n_cols - 1) * s_w + 1, arma::fill::zeros);
    for (arma::uword a = 0; a < m.n_rows; ++a)
        for (arma::uword b = 0; b < m.n_cols; ++b)
            out(a * s_h, b * s_w) = m(a, b);
    return out;
}

arma::mat full_convolution(const arma::mat& A, const arma::mat& B) {
    arma::mat F(A.n_rows + B.n_rows - 1, A.n_cols + B.n_cols - 1, arma::fill::zeros);
    for (arma::uword a = 0; a < A.n_rows; ++a)
        for (arma::uword b = 0; b < A.n_cols; ++b)
            for (arma::uword al = 0; al < B.n_rows; ++al)
                for (arma::uword be = 0; be < B.n_cols; ++be)
                    F(a + al, b + be) += A(a, b) * B(al, be);
    return F;
}

}  // namespace cnnbp::cli

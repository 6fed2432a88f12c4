// The closed form's planes (S1)-(S3) of the page "Stride and dilation", computed by their own loops for the worked
// results (worked/conv_stride_page.cpp) and the figure (figure/conv_figures.cpp): written apart from the library's
// conv2d_backward_closed(), so that the pages show an independent witness of it.
#pragma once

#include <armadillo>

namespace cnnbp::cli {

/// (S1), (S2): s_h - 1 zero rows and s_w - 1 zero columns between the entries of m.
arma::mat spread(const arma::mat& m, int s_h, int s_w);

/// (S3): the full convolution, F[a', b'] = sum over a + alpha = a', b + beta = b' of A[a, b] B[alpha, beta].
arma::mat full_convolution(const arma::mat& A, const arma::mat& B);

}  // namespace cnnbp::cli

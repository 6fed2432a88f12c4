/// \file
/// Array: an n-dimensional array of doubles in row-major order, the language-neutral form of every tensor in a case
/// file (\ref case_format "Case files"), with conversions to the library's Tensor4, matrices and vectors.
#pragma once

#include "cnnbp/core/tensor.hpp"

#include <armadillo>
#include <string>
#include <vector>

namespace cnnbp {

/// A tensor of any rank, row-major (the last index fastest), as case files write it. Rank 0 is a scalar.
struct Array {
    std::vector<arma::uword> shape;  ///< the extents, outermost first; empty for a scalar
    std::vector<double> data;        ///< the elements in row-major order

    /// The number of elements (1 for a scalar).
    arma::uword size() const;
    /// The rank, shape.size().
    arma::uword rank() const { return shape.size(); }
    /// The shape as text, "(2,3,4,4)", "()" for a scalar.
    std::string shape_string() const;
    /// The multi-index of element k, as text: "(0,1,2,3)".
    std::string index_string(arma::uword k) const;
};

/// Array of a Tensor4: shape (N, C, H, W), W fastest.
Array to_array(const Tensor4& t);
/// Array of a matrix: shape (rows, cols), cols fastest.
Array to_array(const arma::mat& m);
/// Array of a vector: shape (n).
Array to_array(const arma::vec& v);
/// Array of a scalar: shape ().
Array to_array(double x);

/// The Tensor4 of a rank-4 array. Throws cnnbp::Error naming `what` if the rank is not 4.
Tensor4 to_tensor4(const Array& a, const std::string& what);
/// The matrix of a rank-2 array. Throws cnnbp::Error naming `what` if the rank is not 2.
arma::mat to_matrix(const Array& a, const std::string& what);
/// The vector of a rank-1 array. Throws cnnbp::Error naming `what` if the rank is not 1.
arma::vec to_vector(const Array& a, const std::string& what);
/// The value of a rank-0 array. Throws cnnbp::Error naming `what` if it is not a scalar.
double to_scalar(const Array& a, const std::string& what);

}  // namespace cnnbp

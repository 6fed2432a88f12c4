/// \file
/// Tensor4: a batch of multi-channel images, (N, C, H, W), of doubles.
#pragma once

#include <armadillo>
#include <array>
#include <iosfwd>
#include <string>

namespace cnnbp {

/// The shape of a Tensor4, in the order (N, C, H, W).
struct Shape4 {
    arma::uword n = 0;  ///< N, samples
    arma::uword c = 0;  ///< C, channels
    arma::uword h = 0;  ///< H, rows
    arma::uword w = 0;  ///< W, columns
    /// Equal when all four extents are.
    bool operator==(const Shape4&) const = default;
    /// The number of elements, N * C * H * W.
    arma::uword size() const { return n * c * h * w; }
};

/// Prints a shape as `(2,4,3,3)`, the form every error message uses.
std::ostream& operator<<(std::ostream& os, const Shape4& s);
/// The same text as a string.
std::string to_string(const Shape4& s);

/// A batch of N images with C channels of H x W pixels, stored as an `arma::cube`
/// whose slice `n * C + c` is the H x W plane of sample n, channel c (see \ref notation "Notation").
///
/// A plane is therefore an `arma::mat` that can be used without a copy, and the
/// whole tensor is one contiguous block of doubles; inside a plane Armadillo stores
/// columns one after the other (column-major). Element access `t(n, c, h, w)`
/// checks every index and throws cnnbp::Error when one is out of range; the
/// unchecked `at` is for inner loops whose bounds are already established.
class Tensor4 {
public:
    Tensor4() = default;
    /// A zero tensor of the given shape.
    Tensor4(arma::uword n, arma::uword c, arma::uword h, arma::uword w);
    /// A zero tensor of the given shape.
    explicit Tensor4(const Shape4& s);

    /// (N, C, H, W)
    Shape4 shape() const { return {n_, c_, data_.n_rows, data_.n_cols}; }
    /// N, the number of samples.
    arma::uword n() const { return n_; }
    /// C, the number of channels.
    arma::uword c() const { return c_; }
    /// H, the number of rows of a plane.
    arma::uword h() const { return data_.n_rows; }
    /// W, the number of columns of a plane.
    arma::uword w() const { return data_.n_cols; }
    /// Number of elements, N * C * H * W.
    arma::uword size() const { return data_.n_elem; }

    /// Checked access to element (n, c, h, w).
    double& operator()(arma::uword n, arma::uword c, arma::uword h, arma::uword w);
    /// Checked access to element (n, c, h, w).
    double operator()(arma::uword n, arma::uword c, arma::uword h, arma::uword w) const;
    /// Unchecked access to element (n, c, h, w).
    double& at(arma::uword n, arma::uword c, arma::uword h, arma::uword w) { return data_.at(h, w, n * c_ + c); }
    /// Unchecked access to element (n, c, h, w).
    double at(arma::uword n, arma::uword c, arma::uword h, arma::uword w) const { return data_.at(h, w, n * c_ + c); }

    /// The H x W plane of sample n, channel c, as a matrix (no copy).
    arma::mat& plane(arma::uword n, arma::uword c);
    /// The H x W plane of sample n, channel c, as a matrix (no copy).
    const arma::mat& plane(arma::uword n, arma::uword c) const;

    /// The underlying cube (slice n*C + c is plane (n, c)).
    arma::cube& data() { return data_; }
    /// The underlying cube (slice n*C + c is plane (n, c)).
    const arma::cube& data() const { return data_; }
    /// The elements as one contiguous block, in storage order.
    double* memptr() { return data_.memptr(); }
    /// The elements as one contiguous block, in storage order.
    const double* memptr() const { return data_.memptr(); }

private:
    void check_index(arma::uword n, arma::uword c, arma::uword h, arma::uword w) const;
    arma::uword n_ = 0, c_ = 0;
    arma::cube data_;
};

/// The Frobenius inner product <a, b> = sum of a_i b_i; shapes must agree.
double dot(const Tensor4& a, const Tensor4& b);

/// Prints the shape and then every plane, as in `Tensor4 (1,1,2,2)` followed by rows of numbers.
std::ostream& operator<<(std::ostream& os, const Tensor4& t);

}  // namespace cnnbp

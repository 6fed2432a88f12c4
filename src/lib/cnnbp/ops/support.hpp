/// \file
/// What the op descriptions (ops/) share: their inputs as the library's types, the same map on absolute values (the
/// magnitudes of \ref eq_E2 "(E2)"), elementwise arithmetic on the values of a network, and the window conditions
/// hunt counts.
#pragma once

#include "cnnbp/core/geometry.hpp"
#include "cnnbp/ops/op.hpp"
#include "cnnbp/oracle/tight_bound.hpp"

#include <armadillo>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace cnnbp::ops {

/// The parameters of a case as the op's struct.
template <class P>
const P& params_of(const OpCase& c) {
    return std::any_cast<const P&>(c.params);
}

/// Input `name` as a Tensor4. Throws cnnbp::Error if it is not of rank 4.
Tensor4 tensor_input(const OpCase& c, const std::string& name);
/// Input `name` as a matrix. Throws cnnbp::Error if it is not of rank 2.
arma::mat matrix_input(const OpCase& c, const std::string& name);
/// The bias "b" as a vector, or nothing when the case has none.
std::optional<arma::vec> bias_input(const OpCase& c);
/// The class indices of "inputs.labels", element by element: non-negative integers, checked before any conversion (the
/// loss checks that they are below M). Throws cnnbp::Error naming the element.
arma::uvec class_labels(const Array& labels);
/// Labels: non-negative integers (the loss checks that they are below M). Throws cnnbp::Error naming the element.
arma::uvec labels_input(const OpCase& c);

/// dout, which must have the output's shape. Throws cnnbp::Error naming both shapes.
const Array& dout_like(const OpCase& c, const Array& out);
/// A loss's dout: the scalar dloss, 1 when absent.
double scalar_dout(const OpCase& c);

/// |t|, elementwise.
Tensor4 abs(const Tensor4& t);
/// |b| for an optional bias.
std::optional<arma::vec> abs(const std::optional<arma::vec>& b);
/// t^2, elementwise: the same map on squares gives the sums of squared terms of \ref eq_E9 "(E9)".
Tensor4 squared(const Tensor4& t);
/// b^2 for an optional bias.
std::optional<arma::vec> squared(const std::optional<arma::vec>& b);
/// max |a_k| (0 for nothing).
double max_abs(const Array& a);

/// One output that is a sum of products, before it is recorded: its values, the same map on magnitudes \ref eq_E2
/// "(E2)" and on squares \ref eq_E9 "(E9)", and its number of terms.
struct Sums {
    Array value;      ///< the sums
    Array magnitude;  ///< the same map on |factors|: sum |t_i|
    Array squares;    ///< the same map on squared factors: sum t_i^2
    double terms;     ///< n, the number of terms of the longest sum
};

/// Records out, dx, dw and (when the case has a bias) db of a layer with weights (conv2d, conv_transpose2d, linear),
/// \ref eq_E9 "(E9)": out's terms are products of x and w (and the bias), dx's of dout and w, dw's of dout and x,
/// db's are dout. Each of x, w and dout is examined by \ref eq_E10 "(E10)" once.
void record_weighted_sums(const OpCase& c, const Array& dout, Sums out, Sums dx, Sums dw, std::optional<Sums> db,
                          Evaluation& e);

/// The elements of a value that flows in a network (both kinds hold them contiguously).
double* elems(Value& v);
/// The same, read only.
const double* elems(const Value& v);
/// The number of elements of a value.
arma::uword count(const Value& v);
/// f applied elementwise to two values of the same shape.
Value zip(const Value& a, const Value& b, double (*f)(double, double));
/// a + b, elementwise.
Value operator+(const Value& a, const Value& b);
/// s a, elementwise.
Value scaled(double s, const Value& a);
/// A value as an Array (row-major, as case files hold it).
Array array_of(const Value& v);

/// Refuses, before anything is allocated, an evaluation whose output (of `output_shape`) would hold more elements
/// than limits().elements, or that would take more than limits().work multiply-adds or taps, `terms` per output
/// element. Throws cnnbp::Error naming the op and the numbers.
void check_cost(const std::string& op, std::initializer_list<std::uint64_t> output_shape, std::uint64_t terms);

/// The reader of an op without parameters: any key is refused.
OpParams read_no_params(const ParamReader& r);
/// The writer of an op without parameters: an empty object (a case file then has no "params").
nlohmann::ordered_json write_no_params(const OpParams&);

/// A pooling window's parameters: kernel (required), stride (default: the kernel), padding, dilation (when the op
/// has it), ceil_mode.
Window2d read_window(const ParamReader& r, bool dilation);
/// The same, every parameter written, in the order case files write them.
nlohmann::ordered_json write_window(const Window2d& g, bool dilation);

/// The conditions of a sliding window over an H x W input that hunt --coverage counts.
std::vector<std::string> window_conditions(const Window2d& g, arma::uword h, arma::uword w, bool pooling);

/// Draws the parameters of a window: kernel 1-4, stride 1-3, padding on each side (at most K/2 for pooling, else 3),
/// dilation 1-2 when `dilated`, ceil_mode when `ceil`; and then the input extents, at least one window plus 0-4.
Window2d draw_window(Draw& d, bool pooling, bool dilated, bool ceil, arma::uword& h, arma::uword& w);

/// A tensor of the given shape with values drawn for `name`.
Array draw_array(Draw& d, const std::string& name, std::vector<arma::uword> shape, ValueRule rule = ValueRule::sixteenths);

}  // namespace cnnbp::ops

/// \file
/// The one description of an op. Everything in cnnbp that handles ops by name (case files, the oracle's evaluation
/// and bounds, sequential networks and their error coefficients, golden, hunt, suite, the properties) reads an op's
/// description through op_table(). Adding an op is its layer files (layers/), its description (ops/NAME.cpp) and one
/// line in ops/table.cpp. An op's parameters travel type-erased (OpParams holds its own struct: Conv2dParams,
/// Window2d, ...); only its description opens them.
#pragma once

#include "cnnbp/core/array.hpp"
#include "cnnbp/net/value.hpp"
#include "cnnbp/oracle/expected.hpp"
#include "cnnbp/ops/params.hpp"
#include "cnnbp/testing/draw.hpp"

#include <any>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cnnbp {

/// An op's parameters as its own struct (Conv2dParams, Window2d, AvgPool2dParams, Padding; empty for relu).
using OpParams = std::any;

struct Op;

/// One case of one op: its parameters, its inputs by name and its upstream gradient.
struct OpCase {
    const Op* op = nullptr;                ///< the op's description
    OpParams params;                       ///< its parameters
    std::map<std::string, Array> inputs;   ///< "x", "w", "b", "a", "y", "z", "labels"
    std::optional<Array> dout;             ///< dout shaped like the output; for a loss the scalar dloss, or absent (1)
};

/// A layer's backward inside a network: da[l-1] and the gradients of its parameters.
struct LayerBackward {
    Value dx;          ///< the error signal sent one layer down
    LayerGrads grads;  ///< the gradients of the layer's weights and bias
};

/// The error coefficients of one layer's backward, \ref eq_E6 "(E6)".
struct BackwardCoefficients {
    Value g_in;                   ///< the error coefficient of da[l-1]
    std::optional<Value> dw;      ///< of the weights' gradient
    std::optional<arma::vec> db;  ///< of the bias's gradient
};

/// What a layer takes from the layer before it.
enum class Takes {
    images,  ///< a Tensor4 (N, C, H, W)
    rows,    ///< a matrix (N, D), one sample per row
    either   ///< either (an elementwise layer)
};

/// The description of one op: its names, how its parameters are read and written, how the oracle evaluates it, how
/// it runs in a network and how cases for it are drawn. The network members are null for the losses.
struct Op {
    std::string name = {};                 ///< "conv2d"
    std::vector<std::string> inputs = {};  ///< the inputs of its case files, in the order they are written
    std::vector<std::string> optional = {};///< those a case may leave out ("b")
    bool loss = false;                     ///< a loss: outputs "loss" and a gradient; its dout is a scalar

    /// Reads and validates the parameters. Throws cnnbp::Error naming the key and the numbers.
    OpParams (*read)(const ParamReader& r) = nullptr;
    /// Writes every parameter, so that read(write(p)) gives p back: the canonical form of a case file.
    nlohmann::ordered_json (*write)(const OpParams& p) = nullptr;
    /// The oracle: every output with its magnitudes, \ref eq_E2 "(E2)" and \ref eq_E4 "(E4)", and
    /// intervals, \ref eq_E5 "(E5)". Throws cnnbp::Error for inputs that do not fit.
    void (*evaluate)(const OpCase& c, Evaluation& e) = nullptr;

    Takes takes = Takes::images;           ///< what the layer takes in a network
    /// The shape its weights must have, for messages ("a Tensor4 (F, C/groups, K_h, K_w)"); empty: no weights.
    std::string weights = {};
    bool weights_are_images = true;        ///< its weights are a Tensor4 (else a matrix)
    /// The forward inside a network, on an input of the kind `takes` says.
    Value (*forward)(const OpParams& p, const LayerParams& w, const Value& in) = nullptr;
    /// The backward inside a network: from dout = da[l] and the forward's input to da[l-1] and the parameters'
    /// gradients.
    LayerBackward (*backward)(const OpParams& p, const LayerParams& w, const Value& in, const Value& dout) = nullptr;
    /// (E6) forward: the error coefficient of the output, n M + |J| c, from the input `a` and its coefficient `c`;
    /// records the places where a correct result can flip, \ref eq_E7 "(E7)", named `where`.
    Value (*forward_error)(const OpParams& p, const LayerParams& w, const Value& a, const Value& c,
                           const std::string& where, std::vector<Fragile>& fragile) = nullptr;
    /// (E6) backward: from g, the coefficient of da[l], and c, the coefficient of a[l-1], to the coefficients of
    /// da[l-1] and of the parameters' gradients; `a` is the exact a[l-1], `da` the exact da[l].
    BackwardCoefficients (*backward_error)(const OpParams& p, const LayerParams& w, const Value& a, const Value& c,
                                           const Value& da, const Value& g) = nullptr;

    /// A random case, parameters first and sizes last so that it is valid by construction, with the ranges hunt and
    /// the properties use.
    OpCase (*generate)(Draw& d) = nullptr;
    /// The places where implementations break that a case exercises, for hunt --coverage (may be null).
    std::vector<std::string> (*conditions)(const OpCase& c) = nullptr;
};

/// Every op a case file may name, in the order the documentation lists them.
const std::vector<Op>& op_table();

/// The op called `name`. Throws cnnbp::Error, naming `where` and listing the ops, when there is none.
const Op& find_op(const std::string& name, const std::string& where);

/// The names of the ops for which `keep` holds, in the table's order.
std::vector<std::string> op_list(bool (*keep)(const Op&) = nullptr);

/// The same, comma-separated: "pad2d, conv2d, ...".
std::string op_names(bool (*keep)(const Op&) = nullptr);

/// The case file of an OpCase, without "expected": format, name, op, params (every one, omitted when the op has
/// none), inputs in the op's order, dout.
nlohmann::ordered_json write_case(const OpCase& c, const std::string& name);

/// The OpCase of a single-op case file: the op, its parameters (validated), its inputs (only the op's, the required
/// ones present) and dout. Throws cnnbp::Error naming the key.
OpCase read_case(const nlohmann::ordered_json& doc);

}  // namespace cnnbp

// linear and flatten as ops: their case files (no parameters), evaluations, places in a network and random cases.
// The math is in layers/linear.hpp and layers/flatten.hpp.
#include "cnnbp/layers/flatten.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/ops/support.hpp"

namespace cnnbp::ops {

using json = nlohmann::ordered_json;
namespace {

// Refused before anything is computed when it would be too large (limits.hpp): N x M outputs of D terms.
void check_cost(const arma::mat& x, const arma::mat& w) {
    ops::check_cost("linear", {x.n_rows, w.n_rows}, w.n_cols);
}

// (E2): each output sums D products and a bias; dx sums M, dw and db sum N
void evaluate_linear(const OpCase& c, Evaluation& e) {
    const arma::mat x = matrix_input(c, "x"), w = matrix_input(c, "w");
    const std::optional<arma::vec> b = bias_input(c);
    check_cost(x, w);
    const Array out = to_array(linear_forward(x, w, b));
    const arma::mat dout = to_matrix(dout_like(c, out), "dout");
    const LinearGrads g = linear_backward(dout, x, w), m = linear_backward(arma::abs(dout), arma::abs(x), arma::abs(w));
    const LinearGrads q = linear_backward(arma::square(dout), arma::square(x), arma::square(w));  // (E9)
    Sums sums_out{out, to_array(linear_forward(arma::abs(x), arma::abs(w), abs(b))),
                  to_array(linear_forward(arma::square(x), arma::square(w), squared(b))), double(x.n_cols) + 1};
    std::optional<Sums> db;
    if (b) db = Sums{to_array(g.db), to_array(m.db), to_array(q.db), double(x.n_rows)};
    record_weighted_sums(c, dout_like(c, out), std::move(sums_out),
                         {to_array(g.dx), to_array(m.dx), to_array(q.dx), double(w.n_rows)},
                         {to_array(g.dw), to_array(m.dw), to_array(q.dw), double(x.n_rows)}, std::move(db), e);
}

Value forward_linear(const OpParams&, const LayerParams& w, const Value& in) {
    check_cost(std::get<arma::mat>(in), std::get<arma::mat>(*w.w));
    return linear_forward(std::get<arma::mat>(in), std::get<arma::mat>(*w.w), w.b);
}

LayerBackward backward_linear(const OpParams&, const LayerParams& w, const Value& in, const Value& dout) {
    LinearGrads g = linear_backward(std::get<arma::mat>(dout), std::get<arma::mat>(in), std::get<arma::mat>(*w.w));
    return {g.dx, {Value(g.dw), w.b ? std::optional<arma::vec>(g.db) : std::nullopt}};
}

Value forward_error_linear(const OpParams&, const LayerParams& lw, const Value& a, const Value& c, const std::string&,
                           std::vector<Fragile>&) {
    const arma::mat& x = std::get<arma::mat>(a);
    const arma::mat w = arma::abs(std::get<arma::mat>(*lw.w));
    return scaled(double(x.n_cols) + 1, Value(linear_forward(arma::abs(x), w, abs(lw.b)))) +
           Value(linear_forward(std::get<arma::mat>(c), w, std::nullopt));
}

BackwardCoefficients backward_error_linear(const OpParams&, const LayerParams& lw, const Value& a, const Value& c,
                                           const Value& da, const Value& g) {
    const arma::mat x = arma::abs(std::get<arma::mat>(a)), w = arma::abs(std::get<arma::mat>(*lw.w));
    const arma::mat d = arma::abs(std::get<arma::mat>(da)), ge = std::get<arma::mat>(g);
    const double n = double(x.n_rows);
    BackwardCoefficients out{Value(arma::mat(double(w.n_rows) * (d * w) + ge * w)),
                             Value(arma::mat(n * (d.t() * x) + ge.t() * x + d.t() * std::get<arma::mat>(c))), std::nullopt};
    if (lw.b) out.db = arma::vec(n * arma::sum(d, 0).t() + arma::sum(ge, 0).t());
    return out;
}

// N 1-3, D 1-6, M 1-5, bias or not
OpCase generate_linear(Draw& d) {
    const arma::uword n = d.integer("n", 1, 3), in = d.integer("d", 1, 6), m = d.integer("m", 1, 5);
    OpCase k{nullptr, {}, {{"x", draw_array(d, "x", {n, in})}, {"w", draw_array(d, "w", {m, in})}}, {}};
    if (d.flag("bias")) k.inputs["b"] = draw_array(d, "b", {m});
    k.dout = draw_array(d, "dout", {n, m});
    return k;
}

void evaluate_flatten(const OpCase& c, Evaluation& e) {
    const Tensor4 x = tensor_input(c, "x");
    const Array out = to_array(flatten_forward(x));
    e.outputs["out"] = exact_output(out);
    e.outputs["dx"] = exact_output(to_array(flatten_backward(to_matrix(dout_like(c, out), "dout"), x.shape()).dx));
}

Value forward_flatten(const OpParams&, const LayerParams&, const Value& in) { return flatten_forward(std::get<Tensor4>(in)); }

LayerBackward backward_flatten(const OpParams&, const LayerParams&, const Value& in, const Value& dout) {
    return {flatten_backward(std::get<arma::mat>(dout), std::get<Tensor4>(in).shape()).dx, {}};
}

Value forward_error_flatten(const OpParams&, const LayerParams&, const Value&, const Value& c, const std::string&,
                            std::vector<Fragile>&) {
    return flatten_forward(std::get<Tensor4>(c));
}

BackwardCoefficients backward_error_flatten(const OpParams&, const LayerParams&, const Value& a, const Value&, const Value&,
                                            const Value& g) {
    return {flatten_backward(std::get<arma::mat>(g), std::get<Tensor4>(a).shape()).dx, {}, {}};
}

// N 1-3, C 1-3, H and W 1-5
OpCase generate_flatten(Draw& d) {
    const arma::uword n = d.integer("n", 1, 3), c = d.integer("c", 1, 3), h = d.integer("h", 1, 5), w = d.integer("w", 1, 5);
    OpCase k{nullptr, {}, {{"x", draw_array(d, "x", {n, c, h, w})}}, {}};
    k.dout = draw_array(d, "dout", {n, c * h * w});
    return k;
}

}  // namespace

Op linear_op() {
    return {.name = "linear", .inputs = {"x", "w", "b"}, .optional = {"b"},
            .read = read_no_params, .write = write_no_params, .evaluate = evaluate_linear,
            .takes = Takes::rows, .weights = "a matrix (M, D)", .weights_are_images = false,
            .forward = forward_linear, .backward = backward_linear,
            .forward_error = forward_error_linear, .backward_error = backward_error_linear,
            .generate = generate_linear};
}

Op flatten_op() {
    return {.name = "flatten", .inputs = {"x"}, .read = read_no_params, .write = write_no_params, .evaluate = evaluate_flatten,
            .forward = forward_flatten, .backward = backward_flatten,
            .forward_error = forward_error_flatten, .backward_error = backward_error_flatten,
            .generate = generate_flatten};
}

}  // namespace cnnbp::ops

// mse and softmax_cross_entropy as ops: their case files, their evaluations with (E4), and their random cases. The
// math is in layers/loss.hpp. A network's loss is read from its "loss" parameter (oracle/network.cpp).
#include "cnnbp/layers/loss.hpp"
#include "cnnbp/ops/support.hpp"

#include <cmath>

namespace cnnbp::ops {

using json = nlohmann::ordered_json;
namespace {

void evaluate_mse(const OpCase& c, Evaluation& e) {
    const arma::mat a = matrix_input(c, "a"), y = matrix_input(c, "y");
    const double dloss = scalar_dout(c);
    const double loss = mse_forward(a, y);
    const arma::mat mag = arma::abs(a) + arma::abs(y);
    e.outputs["loss"] = rounded_output(to_array(loss), to_array(arma::accu(arma::square(mag)) / (2.0 * a.n_rows)), double(a.n_elem) + 3);
    e.outputs["da"] = rounded_output(to_array(mse_backward(dloss, a, y).da), to_array(arma::mat(std::abs(dloss) * mag / double(a.n_rows))), 3);
}

void evaluate_softmax_cross_entropy(const OpCase& c, Evaluation& e) {
    const arma::mat z = matrix_input(c, "z");
    const arma::uvec labels = labels_input(c);
    const double dloss = scalar_dout(c);
    const double loss = softmax_cross_entropy_forward(z, labels);
    const arma::mat dz = softmax_cross_entropy_backward(dloss, z, labels).dz;
    // (E4): per sample the loss is max + log(sum e^(z - max)) - z_y; each exponent z - max carries the rounding of a
    // subtraction of terms of size |z| + |max|, which the exp turns into a relative error of the same size
    const arma::vec mu = arma::max(z, 1);
    const arma::mat p = softmax(z);
    arma::mat spread = arma::abs(z);
    spread.each_col() += arma::abs(mu);
    double loss_mag = 0;
    for (arma::uword n = 0; n < z.n_rows; ++n)
        loss_mag += std::abs(mu(n)) + std::log(double(z.n_cols)) + std::abs(z(n, labels(n))) + spread.row(n).max() + 1;
    arma::mat onehot(arma::size(z), arma::fill::zeros);
    for (arma::uword n = 0; n < z.n_rows; ++n) onehot(n, labels(n)) = 1;
    const arma::mat dz_mag = std::abs(dloss) * (p % (spread + 2) + onehot) / double(z.n_rows);
    const double n_terms = double(z.n_cols) + 4;
    e.outputs["loss"] = rounded_output(to_array(loss), to_array(loss_mag / double(z.n_rows)), n_terms);
    e.outputs["dz"] = rounded_output(to_array(dz), to_array(dz_mag), n_terms);
}

// N 1-3, M 1-5 outputs
OpCase generate_mse(Draw& d) {
    const arma::uword n = d.integer("n", 1, 3), m = d.integer("m", 1, 5);
    return {nullptr, {}, {{"a", draw_array(d, "a", {n, m})}, {"y", draw_array(d, "y", {n, m})}}, {}};
}

// N 1-3, M 2-5 classes, labels below M; one case in five has logits up to +-512
OpCase generate_softmax_cross_entropy(Draw& d) {
    const arma::uword n = d.integer("n", 1, 3), m = d.integer("m", 2, 5);
    Array z = draw_array(d, "z", {n, m});
    if (d.chance("large logits", 20))
        for (double& v : z.data) v *= 256;
    Array labels{{n}, {}};
    for (arma::uword k = 0; k < n; ++k) labels.data.push_back(double(d.integer("label", 0, int(m) - 1)));
    return {nullptr, {}, {{"z", z}, {"labels", labels}}, {}};
}

}  // namespace

Op mse_op() {
    return {.name = "mse", .inputs = {"a", "y"}, .loss = true,
            .read = read_no_params, .write = write_no_params, .evaluate = evaluate_mse, .generate = generate_mse};
}

Op softmax_cross_entropy_op() {
    return {.name = "softmax_cross_entropy", .inputs = {"z", "labels"}, .loss = true,
            .read = read_no_params, .write = write_no_params, .evaluate = evaluate_softmax_cross_entropy,
            .generate = generate_softmax_cross_entropy};
}

}  // namespace cnnbp::ops

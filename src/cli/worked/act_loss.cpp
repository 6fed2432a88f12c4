// The worked results of the notation, finite-difference, activation and loss pages (other_pages.hpp).
#include "other_pages.hpp"

#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/layers/activation.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/layers/loss.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace cnnbp::cli::other {

using fmt::display;
using fmt::math;
using fmt::max_abs_diff;
using fmt::num;
using fmt::pmatrix;

namespace {

std::string power_of_two(double h) { return math("2^{" + std::to_string(std::ilogb(h)) + "}"); }

// One activation at the points z: f(z), f'(z) from its backward with dout = 1, and the central difference (F1).
using Forward = arma::mat (*)(const arma::mat&);
using Backward = ActivationGrads<arma::mat> (*)(const arma::mat&, const arma::mat&);

std::string activation_table(const arma::mat& z, Forward forward, Backward backward, int digits) {
    const arma::mat out = forward(z), d = backward(arma::ones(arma::size(z)), z).dx;
    std::vector<std::vector<std::string>> rows;
    for (arma::uword k = 0; k < z.n_elem; ++k) {
        const auto loss = [&](const arma::mat& t) { return forward(t)(k); };
        const CentralDifference f = central_difference(loss, z, k);
        rows.push_back({num(z(k)), sig(out(k), digits), sig(d(k), digits), sig(f.value, digits)});
    }
    return fmt::table({math("z"), "value", "derivative (backward)", "central difference (F1)"}, rows);
}

}  // namespace

std::string activation_results() {
    const arma::mat z = {{-2, -0.5, 0, 0.5, 2}};
    std::string s = "The program at five points, the kink of relu among them (cnnbp::relu_forward(), "
                    "cnnbp::relu_backward() and the others; the derivative is the backward's " + math("\\dx") +
                    " for " + math("\\dout = 1") + "; the central difference takes the step (F3) of the "
                    "\\ref gradcheck \"Finite differences\" page).\n\n";
    s += fmt::bold("relu") + ", \\ref eq_R1 \"(R1)\" and \\ref eq_R2 \"(R2)\":\n" +
         activation_table(z, relu_forward, relu_backward, 6);
    const double h = fd_step(0.0);
    s += "At " + math("z = 0") + " the backward gives 0, the convention (R2), and the central difference gives " +
         math("(\\mathrm{relu}(h) - \\mathrm{relu}(-h)) / 2h = 2^{" + std::to_string(std::ilogb(h)) + "} / 2^{" +
              std::to_string(std::ilogb(2 * h)) + "} = " + num((scalar::relu(h) - scalar::relu(-h)) / (2 * h))) + ", the average of the two sides.\n\n";
    s += fmt::bold("sigmoid") + ", \\ref eq_R3 \"(R3)\" and \\ref eq_R4 \"(R4)\":\n" +
         activation_table(z, sigmoid_forward, sigmoid_backward, 6);
    const double a = scalar::sigmoid(2.0);
    s += "The mistake of evaluating " + math("\\sigma'") + " at the activation: at " + math("z = 2") + ", " +
         math("a = \\sigma(2) = " + sig(a)) + "; the right " + math("a(1 - a) = " + sig(a * (1 - a))) + ", the wrong " +
         math("\\sigma(a)(1 - \\sigma(a)) = " + sig(scalar::sigmoid_prime(a))) + ".\n\n";
    s += fmt::bold("tanh") + ", \\ref eq_R5 \"(R5)\" and \\ref eq_R6 \"(R6)\":\n" +
         activation_table(z, tanh_forward, tanh_backward, 6);
    return s;
}

std::string loss_results() {
    const arma::mat a = {{0.5, -0.25, 1}, {1.5, 0, -0.75}}, y = {{1, 0, 0.5}, {1, 0.25, -1}};
    const double C = mse_forward(a, y);
    const arma::mat da = mse_backward(1.0, a, y).da;
    const auto mse = [&](const arma::mat& t) { return mse_forward(t, y); };
    const CentralDifference fm = central_difference(mse, a, 0);

    std::string s = fmt::bold("The quadratic cost") + " on " + math("N = 2") + " samples of " + math("M = 3") +
                    " outputs (cnnbp::mse_forward(), cnnbp::mse_backward() with " + math("\\mathrm{dloss} = 1") + "):\n";
    s += display("a = " + pmatrix(a) + ", \\quad y = " + pmatrix(y));
    s += display("a - y = " + pmatrix(a - y) + ", \\quad C = \\frac{1}{2N} \\sum (a - y)^2 = \\frac{" +
                 num(arma::accu(arma::square(a - y))) + "}{4} = " + num(C));
    s += display("\\frac{\\partial C}{\\partial a} = \\frac{a - y}{N} = " + pmatrix(da));
    s += "by \\ref eq_Q1 \"(Q1)\" and \\ref eq_Q2 \"(Q2)\"; the central difference in " + math("a[0,0]") + " gives " +
         math(num(fm.value)) + " (step " + power_of_two(fm.h) + ").\n\n";

    const arma::mat z = {{1, -0.5, 2}, {0.25, 0.75, -1}};
    const arma::uvec labels = {2, 0};
    const arma::mat p = softmax(z), dz = softmax_cross_entropy_backward(1.0, z, labels).dz;
    const double CE = softmax_cross_entropy_forward(z, labels);
    // (Q5) the long way: the chain rule through the softmax Jacobian dp_k/dz_m = p_k ([k = m] - p_m), row by row
    arma::mat chain(arma::size(z));
    for (arma::uword n = 0; n < z.n_rows; ++n) {
        const arma::vec pn = p.row(n).t();
        const arma::mat J = arma::diagmat(pn) - pn * pn.t();
        arma::vec dC_dp(z.n_cols, arma::fill::zeros);
        dC_dp(labels(n)) = -1.0 / pn(labels(n)) / double(z.n_rows);
        chain.row(n) = (J.t() * dC_dp).t();
    }
    const auto ce = [&](const arma::mat& t) { return softmax_cross_entropy_forward(t, labels); };
    const CentralDifference fs = central_difference(ce, z, 0);
    s += fmt::bold("Softmax cross-entropy") + " on logits " + math("z") + " with labels " +
         math("y = (" + std::to_string(labels(0)) + ", " + std::to_string(labels(1)) + ")") +
         " (cnnbp::softmax(), cnnbp::softmax_cross_entropy_forward(), cnnbp::softmax_cross_entropy_backward()):\n";
    s += display("z = " + pmatrix(z) + ", \\quad \\mathrm{softmax}(z) = " + pmatrix_sig(p, 4));
    s += display("C = " + sig(CE) + ", \\quad \\frac{\\partial C}{\\partial z} = \\frac{\\mathrm{softmax}(z) - "
                 "\\mathrm{onehot}(y)}{N} = " + pmatrix_sig(dz, 4));
    s += fmt::table({"check", "result"},
                     {{"largest difference between (Q5) and the chain rule through the softmax Jacobian", fmt::sci(max_abs_diff(dz, chain))},
                      {"the rows of " + math("\\partial C / \\partial z") + " sum to", fmt::sci(arma::accu(dz.row(0))) +
                       " and " + fmt::sci(arma::accu(dz.row(1)))},
                      {math("\\partial C / \\partial z[0,0]") + ": backward, central difference",
                       sig(dz(0, 0), 10) + ", " + sig(fs.value, 10) + " (step " + power_of_two(fs.h) + ")"},
                      {"C with every logit raised by 1000, (Q3) shifted", sig(softmax_cross_entropy_forward(z + 1000.0, labels))}});
    return s;
}

std::string gradcheck_results() {
    std::string s = fmt::bold("The step (F3)") + " (cnnbp::fd_step()) for a few values of " + math("\\theta_k") + ":\n";
    std::vector<std::vector<std::string>> steps;
    for (double t : {0.0, 0.75, 3.0, -40.0, 1000.0}) {
        const double h = fd_step(t);
        steps.push_back({num(t), math("2^{" + std::to_string(std::ilogb(h)) + "} = " + sig(h, 4)),
                         sig_math(h / std::max(1.0, std::abs(t)), 3)});
    }
    s += fmt::table({math("\\theta_k"), math("h_k"), math("h_k / \\max(1, \\lvert\\theta_k\\rvert)")}, steps);

    // (F2) measured: L(z) = tanh(z) at z = 1/2, whose third derivative is -2 (1 - t^2)(1 - 3 t^2)
    const double z = 0.5, t = std::tanh(z), exact = scalar::tanh_prime(z);
    const double third = std::abs(-2 * (1 - t * t) * (1 - 3 * t * t)), eps = std::ldexp(1.0, -52);
    s += fmt::bold("The error (F2)") + " of (F1) for " + math("L(z) = \\tanh z") + " at " + math("z = " + num(z)) +
         ", where " + math("L'(z) = " + sig(exact, 12)) + " (cnnbp::scalar::tanh_prime()), against the step; the model is " +
         math("h^2 |L'''| / 6 + \\varepsilon |L| / h") + " with " + math("\\varepsilon = 2^{-52}") + ":\n";
    std::vector<std::vector<std::string>> rows;
    for (int e : {-2, -6, -10, -14, -18, -26, -34, -42}) {
        const double h = std::ldexp(1.0, e);
        const double fd = (std::tanh(z + h) - std::tanh(z - h)) / (2 * h);
        rows.push_back({math("2^{" + std::to_string(e) + "}") + (h == fd_step(z) ? " (F3)" : ""),
                        fmt::sci(std::abs(fd - exact)), fmt::sci(h * h * third / 6 + eps * std::abs(t) / h)});
    }
    s += fmt::table({"step " + math("h"), "error of (F1)", "model (F2)"}, rows);
    s += "Large steps lose to the truncation term, small ones to the rounding term; (F3) lies near the bottom of the "
         "valley.\n\n";

    // (F4) on a linear layer with dyadic values: every sum is exact, so the difference quotient is exact too
    const arma::mat x = {{0.5, -1, 0.25}, {1.5, 0.75, -0.5}}, w = {{0.25, -0.5, 1}, {-1, 0.5, 0.25}}, dout = {{1, -0.5}, {0.25, 0.75}};
    const arma::mat numeric = numerical_vjp([&](const arma::mat& xp) { return linear_forward(xp, w, std::nullopt); }, x, dout);
    s += fmt::bold("(F4) on a linear layer") + " with inputs that are multiples of " + math("1/4") + ": " +
         "cnnbp::numerical_vjp() against cnnbp::linear_backward(), max " + math("|\\text{difference}|") + " = " +
         fmt::sci(max_abs_diff(numeric, linear_backward(dout, x, w).dx)) + " over the " + std::to_string(x.n_elem) +
         " elements of " + math("\\dx") + ": the quotient is exact, as the tests of the linear layers demand.\n";
    return s;
}

std::string notation_results() {
    const arma::mat x = {{0.5, -1, 0.25}, {1.5, 0.75, -0.5}}, w = {{0.25, -0.5, 1}, {-1, 0.5, 0.25}};
    const arma::mat dout = {{1, -0.5}, {0.25, 0.75}}, other = {{-0.5, 2}, {1, -0.25}};
    const auto forward = [&](const arma::mat& xp) { return linear_forward(xp, w, std::nullopt); };
    const arma::mat dx = linear_backward(dout, x, w).dx;
    const arma::mat combined = linear_backward(2 * dout + other, x, w).dx;
    const arma::mat parts = 2 * dx + linear_backward(other, x, w).dx;
    std::string s = "(N1) and (N2) measured on a linear layer without bias, " + math("\\out = x W^T") +
                    " (\\ref linear \"The fully-connected layer\"), with\n";
    s += display("x = " + pmatrix(x) + ", \\quad W = " + pmatrix(w));
    s += display("\\dout = " + pmatrix(dout));
    s += "The backward, cnnbp::linear_backward(), gives\n" + display("\\dx = \\dout\\, W = " + pmatrix(dx));
    s += fmt::table({"check", "result"},
                     {{"largest difference between the backward and finite differences of " + math("\\ip{\\out}{\\dout}") + ", (N1)",
                       fmt::sci(max_abs_diff(dx, numerical_vjp(forward, x, dout)))},
                      {math("\\ip{f(x)}{\\dout}") + " and " + math("\\ip{x}{\\dx(\\dout)}") + ", (N2)",
                       num(arma::accu(forward(x) % dout)) + " and " + num(arma::accu(x % dx))},
                      {"largest difference between " + math("\\dx(2 \\dout + d')") + " and " + math("2 \\dx(\\dout) + \\dx(d')") + ": linear in " + math("\\dout"), fmt::sci(max_abs_diff(combined, parts))}});
    return s;
}

}  // namespace cnnbp::cli::other

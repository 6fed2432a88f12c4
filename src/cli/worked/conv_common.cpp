#include "conv_common.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace cnnbp::cli::conv_worked {

using fmt::math;
using fmt::num;

Tensor4 plane(std::initializer_list<std::initializer_list<double>> rows) {
    Tensor4 t(1, 1, rows.size(), rows.begin()->size());
    arma::uword h = 0;
    for (const auto& r : rows) {
        arma::uword w = 0;
        for (double v : r)
            t(0, 0, h, w++) = v;
        ++h;
    }
    return t;
}

Tensor4 quarters(const Shape4& s, unsigned a, unsigned b) {
    Tensor4 t(s);
    for (arma::uword k = 0; k < t.size(); ++k)
        t.memptr()[k] = (double((a * k + b) % 9) - 4) / 4;
    return t;
}

Conv2dExample conv2d_example() {
    return {plane({{1, -0.5, 0, 2}, {0.5, 1, -1, 0.5}, {-1, 0, 1.5, 1}}),  //
            plane({{1, -0.5}, {0.25, 2}}),                                 //
            plane({{0.5, -1, 1}, {1, 0.5, -0.5}})};
}

double Terms::value() const {
    double sum = 0;
    for (const auto& [a, b] : products)
        sum += a * b;
    return sum;
}

namespace {
std::string factor(double v) { return v < 0 ? "(" + num(v) + ")" : num(v); }

std::string joined(const std::vector<std::string>& terms, std::size_t per_line) {
    std::string s;
    for (std::size_t k = 0; k < terms.size(); ++k)
        s += (k == 0 ? "" : per_line && k % per_line == 0 ? " \\\\ &\\quad + " : " + ") + terms[k];
    return s.empty() ? "0" : s;
}
}  // namespace

std::string Terms::numbers(std::size_t per_line) const {
    std::vector<std::string> terms;
    for (const auto& [a, b] : products)
        terms.push_back(a < 0 && b < 0 ? factor(a) + factor(b) : factor(a) + " \\cdot " + factor(b));
    return joined(terms, per_line);
}

std::string Terms::symbolic(std::size_t per_line) const { return joined(symbols, per_line); }

namespace {
void check_sum(const std::string& lhs, const Terms& t, double computed) {
    if (t.value() != computed)
        throw std::logic_error("worked example: " + lhs + " written out is " + num(t.value()) +
                               " but the library computed " + num(computed));
}
}  // namespace

std::string expansion(const std::string& lhs, const Terms& t, double computed) {
    check_sum(lhs, t, computed);
    const std::size_t per_line = t.products.size() > 4 ? 3 : 0;  // short enough for a phone
    return "\\begin{aligned} " + lhs + " &= " + t.symbolic(per_line) + " \\\\ &= " + t.numbers(per_line) + " = " +
           num(computed) + " \\end{aligned}";
}

std::string expansion_inline(const std::string& lhs, const Terms& t, double computed) {
    check_sum(lhs, t, computed);
    return lhs + " = " + t.symbolic() + " = " + t.numbers() + " = " + num(computed);
}

std::vector<Gradients> conv2d_forms(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p) {
    std::vector<Gradients> forms;
    using Backward = Conv2dGrads (*)(const Tensor4&, const Tensor4&, const Tensor4&, const Conv2dParams&);
    const std::pair<const char*, Backward> all[] = {{"scatter", conv2d_backward_scatter},
                                                    {"gather", conv2d_backward_gather},
                                                    {"closed", conv2d_backward_closed},
                                                    {"matrix", conv2d_backward_matrix}};
    for (const auto& [name, backward] : all) {
        Conv2dGrads g = backward(dout, x, w, p);
        forms.push_back({name, std::move(g.dx), std::move(g.dw), std::move(g.db)});
    }
    return forms;
}

std::string forms_table(const std::vector<Gradients>& forms) {
    std::vector<std::vector<std::string>> rows;
    const Gradients& first = forms.front();
    for (const Gradients& g : forms) {
        const double ddx = fmt::max_abs_diff(g.dx, first.dx), ddw = fmt::max_abs_diff(g.dw, first.dw),
                     ddb = fmt::max_abs_diff(g.db, first.db);
        if (ddx > 1e-12 || ddw > 1e-12 || ddb > 1e-12)
            throw std::logic_error("worked example: backward form " + g.form + " disagrees with " + first.form);
        rows.push_back({g.form, fmt::sci(ddx), fmt::sci(ddw), fmt::sci(ddb)});
    }
    return fmt::table({"form", "largest difference in " + math("\\dx"), "in " + math("\\dw"), "in " + math("\\db")},
                      rows);
}

std::string program_output(const std::vector<std::pair<std::string, const Tensor4*>>& tensors,
                           const std::vector<std::pair<std::string, const arma::vec*>>& vectors) {
    std::string s;
    for (const auto& [name, t] : tensors)
        s += fmt::tensor_text(name, *t);
    for (const auto& [name, v] : vectors)
        s += fmt::vector_text(name, *v);
    return fmt::code(s);
}

std::vector<std::string> fd_row(const std::string& element, double backward, double numerical) {
    const double diff = std::abs(backward - numerical);
    if (diff > 1e-6 * std::max(1.0, std::abs(backward)))
        throw std::logic_error("worked example: finite difference of " + element + " disagrees with the backward");
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", numerical);
    return {math(element), num(backward), buf, fmt::sci(diff)};
}

std::string fd_table(const std::vector<std::vector<std::string>>& rows) {
    return fmt::table({"element", "backward", "central difference", "difference"}, rows);
}

}  // namespace cnnbp::cli::conv_worked

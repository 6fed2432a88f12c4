// What the worked results of the convolution pages share (conv_pages.cpp): the examples' inputs, a sum of products
// written out term by term, and the pieces of every page's results block (the program's output, the backward forms
// agreeing, a finite difference).
#pragma once

#include "format.hpp"
#include "worked.hpp"

#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/core/tensor.hpp"
#include "cnnbp/layers/conv2d.hpp"

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace cnnbp::cli::conv_worked {

/// The artifacts of each group of pages, collected by conv_pages_worked().
std::vector<Artifact> geometry_pad_worked();     // geometry_pad_pages.cpp: geometry, pad2d
std::vector<Artifact> conv2d_groups_worked();    // conv2d_groups_pages.cpp: conv2d, groups
std::vector<Artifact> stride_dilation_worked();  // conv_stride_page.cpp
std::vector<Artifact> conv_matrix_worked();      // conv_matrix_page.cpp
std::vector<Artifact> conv_transpose_worked();   // conv_transpose_page.cpp

/// A (1, 1, H, W) tensor from rows of numbers.
Tensor4 plane(std::initializer_list<std::initializer_list<double>> rows);
/// An (N, C, H, W) tensor of quarters in [-1, 1], element k (storage order) = ((a k + b) mod 9 - 4) / 4: varied,
/// asymmetric and exact in every sum the pages print.
Tensor4 quarters(const Shape4& s, unsigned a, unsigned b);

/// The conv2d page's example, stride 1 and no padding: x (1,1,3,4), w (1,1,2,2), dout (1,1,2,3). The transposed
/// convolution page reuses w and this dout as its input.
struct Conv2dExample {
    Tensor4 x, w, dout;
};
Conv2dExample conv2d_example();

/// A sum of products written out: "a \cdot b + c \cdot d" (negative factors in parentheses), and its value,
/// summed here in the order written.
struct Terms {
    std::vector<std::pair<double, double>> products;
    std::vector<std::string> symbols;  ///< the same terms as index expressions, e.g. "w[0,1]\,\dout[1,0]"
    void add(double a, double b, std::string symbol) {
        products.emplace_back(a, b);
        symbols.push_back(std::move(symbol));
    }
    double value() const;
    /// "1 \cdot 0.5 + (-0.5)(-1)"; with per_line > 0, a new line of an aligned block after every per_line terms.
    std::string numbers(std::size_t per_line = 0) const;
    /// "w[0,0]\,\dout[0,0] + ...", broken into lines like numbers().
    std::string symbolic(std::size_t per_line = 0) const;
};
/// The sum written out for a displayed formula, checked: "\\begin{aligned} lhs &= symbolic \\\\ &= numbers = value
/// \\end{aligned}". Throws std::logic_error (the docs build fails) unless the sum of the printed terms equals
/// `computed`, the value the library's function returned for lhs.
std::string expansion(const std::string& lhs, const Terms& t, double computed);
/// The same on one line, "lhs = symbolic = numbers = value", for a short sum in the text.
std::string expansion_inline(const std::string& lhs, const Terms& t, double computed);

/// One backward form's gradients, for the agreement table.
struct Gradients {
    std::string form;
    Tensor4 dx, dw;
    arma::vec db;
};
/// conv2d's four backward forms on one case, the scatter form (the definition) first.
std::vector<Gradients> conv2d_forms(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p);
/// A table: every form against the first, the largest |difference| in dx, dw and db. Throws std::logic_error if two forms
/// differ by more than 1e-12 (the docs build fails rather than show disagreeing forms).
std::string forms_table(const std::vector<Gradients>& forms);

/// The program's output: named tensors printed by Tensor4's operator<<, each with its shape, in one code block.
std::string program_output(const std::vector<std::pair<std::string, const Tensor4*>>& tensors,
                           const std::vector<std::pair<std::string, const arma::vec*>>& vectors = {});

/// One row of the finite-difference table: the element's name (TeX), the backward's value, the central difference
/// of <out, dout> (numerical_vjp(), (F4)) and their |difference|.
std::vector<std::string> fd_row(const std::string& element, double backward, double numerical);
/// The finite-difference table of the rows, with its header.
std::string fd_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace cnnbp::cli::conv_worked

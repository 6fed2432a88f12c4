#include "format.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>

namespace cnnbp::cli::fmt {

std::string num(double v) {
    if (v == 0) return "0";
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string sci(double v) {
    if (v == 0) return "0";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1e", v);
    return buf;
}

std::string shape(const Shape4& s) {
    return "(" + std::to_string(s.n) + ", " + std::to_string(s.c) + ", " + std::to_string(s.h) + ", " +
           std::to_string(s.w) + ")";
}

std::string pmatrix(const arma::mat& m,
                    const std::function<std::string(arma::uword, arma::uword, const std::string&)>& cell) {
    std::string s = "\\begin{pmatrix} ";
    for (arma::uword i = 0; i < m.n_rows; ++i) {
        for (arma::uword j = 0; j < m.n_cols; ++j)
            s += (j ? " & " : "") + cell(i, j, num(m(i, j)));
        s += i + 1 < m.n_rows ? " \\\\ " : " ";
    }
    return s + "\\end{pmatrix}";
}

std::string pmatrix(const arma::mat& m) {
    return pmatrix(m, [](arma::uword, arma::uword, const std::string& text) { return text; });
}

std::string pmatrix(const Tensor4& t, arma::uword n, arma::uword c) { return pmatrix(t.plane(n, c)); }

std::string prow(const arma::vec& v) { return pmatrix(arma::mat(v.t())); }

std::string math(const std::string& tex) { return "\\f$" + tex + "\\f$"; }

std::string display(const std::string& tex) { return "\\f[\n" + tex + "\n\\f]\n\n"; }

std::string bold(const std::string& text) { return "<b>" + text + "</b>"; }

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    auto line = [](const std::vector<std::string>& cells) {
        std::string s = "|";
        for (const std::string& c : cells)
            s += " " + c + " |";
        return s + "\n";
    };
    std::string s = "\n" + line(header) + "|";
    for (std::size_t k = 0; k < header.size(); ++k)
        s += "---|";
    s += "\n";
    for (const auto& r : rows) {
        if (r.size() != header.size()) throw std::logic_error("fmt::table: a row has the wrong number of cells");
        s += line(r);
    }
    return s + "\n";
}

std::string code(const std::string& text) {
    return "~~~\n" + text + (text.empty() || text.back() == '\n' ? "" : "\n") + "~~~\n\n";
}

std::string tensor_text(const std::string& name, const Tensor4& t) {
    std::ostringstream os;
    os << name << " = " << t;
    return os.str();
}

std::string vector_text(const std::string& name, const arma::vec& v) {
    std::string s = name + " = (" + std::to_string(v.n_elem) + ")\n   ";
    for (double e : v)
        s += " " + num(e);
    return s + "\n";
}

double max_abs_diff(const Tensor4& a, const Tensor4& b) {
    if (!(a.shape() == b.shape())) throw std::logic_error("fmt::max_abs_diff: shapes differ");
    return a.size() ? arma::abs(a.data() - b.data()).max() : 0.0;
}

double max_abs_diff(const arma::mat& a, const arma::mat& b) {
    if (arma::size(a) != arma::size(b)) throw std::logic_error("fmt::max_abs_diff: sizes differ");
    return a.n_elem ? arma::abs(a - b).max() : 0.0;
}

}  // namespace cnnbp::cli::fmt

// A small SVG writer for the documentation's figures. The output is self-contained (no fonts, style sheets or scripts
// from outside; text in the reader's sans-serif), deterministic (numbers in one fixed format, elements in the order
// they are drawn) and scalable (a viewBox with width and height, so a page may shrink it to its column).
// Colour is never the only code: every fill that carries meaning comes with a pattern or a label.
#pragma once

#include <functional>
#include <string>
#include <utility>

namespace cnnbp::cli::svg {

// The Okabe-Ito palette (distinguishable with every common colour-vision deficiency), light tints for fills.
inline constexpr const char* blue = "#0072B2";
inline constexpr const char* orange = "#E69F00";
inline constexpr const char* vermillion = "#D55E00";
inline constexpr const char* green = "#009E73";
inline constexpr const char* purple = "#CC79A7";
inline constexpr const char* grey = "#777777";
inline constexpr const char* light_blue = "#CFE6F5";
inline constexpr const char* light_orange = "#FBE5B8";
inline constexpr const char* light_green = "#CDEDE3";
inline constexpr const char* light_grey = "#EEEEEE";
// Pattern fills defined in every figure: diagonal hatching (left out, no gradient) and dots (padding).
inline constexpr const char* hatch = "url(#hatch)";
inline constexpr const char* dots = "url(#dots)";
// Attributes that give text a white outline, so that it stays legible over lines and patterns.
inline constexpr const char* halo = "stroke=\"#FFFFFF\" stroke-width=\"3\" paint-order=\"stroke\"";

// A number as the figures print it: at most `digits` significant digits, no trailing zeros, never "-0".
std::string num(double x, int digits = 4);
// Text with &, <, > and " escaped for XML.
std::string escape(const std::string& text);

// What one cell of a grid holds: its fill, its text and the hooks for the tests.
struct Cell {
    std::string fill = "#FFFFFF";
    std::string label;
    std::string attrs;
    Cell() = default;
    Cell(std::string fill_, std::string label_ = "", std::string attrs_ = "")
        : fill(std::move(fill_)), label(std::move(label_)), attrs(std::move(attrs_)) {}
};

// One figure: a canvas of width x height user units, a <title> (shown as a tooltip and read by screen readers),
// then the shapes in the order they are added. `attrs` is appended to the element as it is: the hooks the tests
// read (class="window" data-i="0" ...).
class Figure {
public:
    Figure(double width, double height, const std::string& title);

    void rect(double x, double y, double w, double h, const std::string& fill, const std::string& stroke = "#000",
              const std::string& attrs = "");
    // A line; `arrow` puts an arrowhead at (x2, y2).
    void line(double x1, double y1, double x2, double y2, const std::string& stroke = "#000", bool arrow = false,
              const std::string& attrs = "");
    void circle(double cx, double cy, double r, const std::string& fill, const std::string& stroke = "#000",
                const std::string& attrs = "");
    // Text centred on (x, y) (anchor "middle"), or starting ("start") or ending ("end") there; size in user units.
    void text(double x, double y, const std::string& text, double size = 12, const std::string& anchor = "middle",
              const std::string& attrs = "");
    // A rows x cols grid of square cells of side `cell`, top-left corner at (x, y); what(r, c) fills each.
    void grid(double x, double y, int rows, int cols, double cell, const std::function<Cell(int, int)>& what,
              double size = 12);
    // A group of elements: open() ... close().
    void open(const std::string& attrs);
    void close();

    // The whole SVG document.
    std::string str() const;

private:
    double width_, height_;
    std::string title_, body_;
};

}  // namespace cnnbp::cli::svg

#include <gtest/gtest.h>

#include "parser/driver.h"

using namespace apy;

namespace {

std::string dump(const std::string& text, parse::Mode mode = parse::Mode::File) {
    Source src("<test>", text);
    return ast::dump(*parse::parse(src, mode));
}

}  // namespace

TEST(Parser, Smoke) {
    EXPECT_EQ(dump("x = 1\n"),
              "Module(body=[Assign(targets=[Name(id='x', ctx=Store())], value=Constant(value=1))], "
              "type_ignores=[])");
}

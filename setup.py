"""The compiled decoding core, cchc_cli.repair._core (plain C through the CPython API; the rest of the project
is configured in pyproject.toml).

Where the extension cannot be compiled (no C compiler, no Python headers), the install goes on without it:
the decoder then runs its pure-Python reference path, with the same output, more slowly; `cchc doctor` says
which core is in use.
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, ExecError, PlatformError

CORE = "cchc_cli.repair._core"
NOTICE = "cchc: the compiled repair core was not built ({}); installing the pure-Python core (same output, slower)"


class OptionalBuildExt(build_ext):
    """build_ext that lets the install go on without the compiled core when it cannot be compiled."""

    def run(self) -> None:
        try:
            super().run()
        except (CCompilerError, ExecError, PlatformError, OSError) as exc:
            print(NOTICE.format(_reason(exc)), file=sys.stderr)

    def build_extension(self, ext: Extension) -> None:
        # the core must round as Python does: no fused multiply-add contraction (GCC contracts by default
        # where the target has FMA, e.g. aarch64)
        if self.compiler.compiler_type == "msvc":
            ext.extra_compile_args = ["/fp:precise"]
        else:
            ext.extra_compile_args = ["-ffp-contract=off", "-fno-fast-math"]
        try:
            super().build_extension(ext)
        except (CCompilerError, ExecError, PlatformError, OSError) as exc:
            print(NOTICE.format(_reason(exc)), file=sys.stderr)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text if len(text) <= 100 else text[:97] + '...'}"


setup(
    ext_modules=[Extension(CORE, sources=["src/cchc_cli/repair/_core.c"])],
    cmdclass={"build_ext": OptionalBuildExt},
)

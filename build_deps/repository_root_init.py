# Copyright 2026 The TensorFlow Lookahead Authors. All Rights Reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# ==============================================================================
"""`tensorflow_lookahead` as seen from another Bazel workspace's runfiles.

There the repository `@tensorflow_lookahead` is the runfiles directory
`tensorflow_lookahead/`, whose parent comes first on `sys.path`, and
`py_test`'s default `legacy_create_init = True` puts an empty `__init__.py` in
it: `import tensorflow_lookahead` would import that empty package instead of
the real one one level down. Bazel puts this file there instead (genrule
`//:repository_root_init`, a data dependency of `//tensorflow_lookahead` only
in other workspaces). It makes the package's directory the real one and runs
its `__init__.py`, so submodules and `__file__` are those of the real package.
"""

import os as _os

__path__ = [_os.path.join(_os.path.dirname(_os.path.abspath(__file__)), __name__)]
__file__ = _os.path.join(__path__[0], "__init__.py")
with open(__file__, encoding="utf-8") as _source:
    exec(compile(_source.read(), __file__, "exec"))
del _os, _source

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
"""Telling an interrupted `fit` from one that ends inside an `except` block."""

import inspect
import sys


def exception_propagates_through_caller():
    """Whether the caller of `finalize_variable_values` is being unwound.

    True in the `finally` block of an interrupted `fit`; False for a `fit`
    that ends normally inside an `except` block (a retry loop), where
    `sys.exc_info()` holds an exception raised outside `fit`.
    """
    error = sys.exc_info()[1]
    if error is None or error.__traceback__ is None:
        return False
    caller = inspect.currentframe().f_back
    while caller is not None and caller.f_code.co_name == "finalize_variable_values":
        caller = caller.f_back
    return error.__traceback__.tb_frame is caller

#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The whole attack suite in one run: every test class of the split modules.

meson runs each class from its own module (see meson.build); this runner keeps
`TUF_CLIENT=... ./test_tuf_client.py [ClassName]` working for a manual run,
e.g. against refclient.py.  The shared base lives in tuf_client_base.py.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tuf_client_base import main  # noqa: E402
from test_tuf_workflow import (  # noqa: E402,F401
    TufWorkflowTests, OtaWorkflowTests, OtaRsaWorkflowTests)
from test_tuf_interop import (  # noqa: E402,F401
    OtaInteropTests, ConsistentSnapshotTests, KeyTypeTests)
from test_tuf_delegation import DelegationTests, OtaDelegationTests  # noqa: E402,F401
from test_tuf_uptane import (  # noqa: E402,F401
    UptaneTests, TufDialectUptaneTests, RsaUptaneTests)


if __name__ == '__main__':
    main()

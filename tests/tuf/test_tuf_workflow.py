#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The TUF client workflow in both dialects; the cases live in
tuf_workflow_attacks.py and tuf_workflow_metadata.py."""

from tuf_client_base import ClientTestCase, main
from tuf_workflow_attacks import WorkflowAttackCases
from tuf_workflow_metadata import WorkflowMetadataCases


class TufWorkflowTests(WorkflowAttackCases, WorkflowMetadataCases, ClientTestCase):
    """The TUF client workflow and every attack class (standard TUF dialect)."""


class OtaWorkflowTests(TufWorkflowTests):
    """The same cases in the OTA Community Edition / aktualizr dialect."""
    dialect = 'ota'


class OtaRsaWorkflowTests(TufWorkflowTests):
    """OTA CE servers sign with RSA keys by default."""
    dialect = 'ota'
    key_kind = 'rsa2048'


if __name__ == '__main__':
    main()

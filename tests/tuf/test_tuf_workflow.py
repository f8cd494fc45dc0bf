#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The TUF client workflow in both dialects; the cases live in
tuf_workflow_attacks.py, tuf_workflow_metadata.py and tuf_workflow_steps.py."""

from tuf_client_base import ClientTestCase, main
from tuf_workflow_attacks import WorkflowAttackCases
from tuf_workflow_metadata import WorkflowMetadataCases
from tuf_workflow_steps import WorkflowStepCases


class TufWorkflowTests(WorkflowAttackCases, WorkflowMetadataCases, WorkflowStepCases,
                       ClientTestCase):
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

"""The oversight app's services, one module per area. Other modules call only
`fazhi.oversight.services.findings.finding_open`."""

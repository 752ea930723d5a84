"""The appraisal panel's pages: the queue, one agency's leaves by page, saving a round, and the
secretariat's assignment of leaves to appraisers."""

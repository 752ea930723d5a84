"""The secretariat's pages (Sở Nội vụ): cycle set-up, the agency list, progress and approval,
survey import, preview, publication and the audit log."""

"""Customer accounts: registration, sign-in, the account area. The blueprint and its pages are
in ``jomso.accounts.pages``; this file holds no code, so that importing a model or a service of
the accounts loads none of the pages."""

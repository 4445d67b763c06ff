"""Emporia client and Cognito sign-in."""

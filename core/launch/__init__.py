"""Everything the launch form needs before a job is sent, one module a job:

- fields: the form's fields checked against the API's bounds, and the JobSpec they make;
- split: a validation set split off a training file;
- snippet: the same request as Python code;
- estimates: the pre-launch estimate, kept per job;
- pricing: what training costs at the price table's rate.
"""

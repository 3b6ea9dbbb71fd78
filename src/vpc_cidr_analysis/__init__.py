"""vpc-cidr-analysis: answer VPC Flow Log questions by CIDR block, on Athena or offline."""

__version__ = "0.1.0"

"""`make bench`: the API's hot paths against a bare reference, on a large generated data set."""

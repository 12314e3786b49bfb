-- One database per service: no service reads another's tables.
CREATE DATABASE intake;
CREATE DATABASE custody;
CREATE DATABASE medical;
CREATE DATABASE identity;

// NestJS HTTP API module

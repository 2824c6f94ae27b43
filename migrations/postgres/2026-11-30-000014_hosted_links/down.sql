DROP TABLE hosted_links;

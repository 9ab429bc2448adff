// HTTP/1.1 request parsing and response writing over file descriptors, for quill-engine.

import QuillHTTP

module github.com/mtlslint/mtlslint

go 1.26
